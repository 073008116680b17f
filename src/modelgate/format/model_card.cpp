#include "core/format_details_json.h"
#include "hf/front_matter.h"
#include "core/rule_catalog.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

// A front-matter value that is a scalar or a list of scalars, as a list (scalars stay strings).
std::vector<std::string> card_strings(const nlohmann::json& fm, const char* key) {
  std::vector<std::string> out;
  auto v = fm.find(key);
  if (v == fm.end()) return out;
  if (v->is_string()) out.push_back(v->get<std::string>());
  if (v->is_array())
    for (const auto& item : *v)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

std::string card_string(const nlohmann::json& fm, const char* key) {
  auto v = fm.find(key);
  return v != fm.end() && v->is_string() ? v->get<std::string>() : std::string();
}

void read_card_facts(const nlohmann::json& fm, ModelFacts& model) {
  if (!fm.is_object()) return;
  model.license = card_string(fm, "license");
  // `license: other` names the licence in `license_name`.
  if (model.license == "other" && !card_string(fm, "license_name").empty()) model.license = card_string(fm, "license_name");
  model.name = card_string(fm, "model_name");
  model.datasets = card_strings(fm, "datasets");
  model.base_models = card_strings(fm, "base_model");
  model.base_model_relation = card_string(fm, "base_model_relation");
  model.languages = card_strings(fm, "language");
  model.task = card_string(fm, "pipeline_tag");
  model.library = card_string(fm, "library_name");
}

}  // namespace

// README.md with YAML front matter. The card is documentation, not loaded by any pipeline; its
// metadata is kept for the bill of materials, and a malformed header is reported, not fatal.
void scan_model_card(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto fm = parse_front_matter(as_chars(a.bytes), ctx.limits());
  if (!fm) {
    report.add(make_finding(rule("MG-CARD-FRONT-MATTER-MALFORMED"), a.origin, fm.error().offset,
                            "model card front matter cannot be read: " + fm.error().reason));
    return;
  }
  auto& card = report.details.model_card.emplace();
  for (const char* key : {"license", "license_name", "license_link", "base_model", "base_model_relation", "datasets",
                          "pipeline_tag", "tags", "language", "library_name", "model_name"}) {
    if (fm->contains(key) && !(*fm)[key].is_null()) card[key] = file_value_of((*fm)[key]);
  }
  read_card_facts(*fm, report.model);
}

}  // namespace modelgate
