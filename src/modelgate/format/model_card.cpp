#include "hf/front_matter.h"
#include "scan/format_table.h"

namespace modelgate {

// README.md with YAML front matter. The card is documentation, not loaded by any pipeline; its
// metadata is kept for the bill of materials, and a malformed header is reported, not fatal.
void scan_model_card(const Artifact& a, ScanContext& ctx, ArtifactReport& report) {
  auto fm = parse_front_matter(as_chars(a.bytes), ctx.limits());
  if (!fm) {
    report.add(make_finding(rule("MG-CARD-FRONT-MATTER-MALFORMED"), a.origin, fm.error().offset,
                            "model card front matter cannot be read: " + fm.error().reason));
    return;
  }
  nlohmann::json card = nlohmann::json::object();
  for (const char* key : {"license", "license_name", "license_link", "base_model", "base_model_relation", "datasets",
                          "pipeline_tag", "tags", "language", "library_name", "model_name"}) {
    if (fm->contains(key) && !(*fm)[key].is_null()) card[key] = (*fm)[key];
  }
  report.facts["model_card"] = std::move(card);
}

}  // namespace modelgate
