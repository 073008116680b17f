// Keras v3 `.keras` archives: config.json is analysed for code it would load, metadata.json is
// read for facts, and every other member (model.weights.h5, assets) is scanned as a nested artifact.
// Keras opens the archive with Python's zipfile, so the members it uses are looked up the way
// zipfile looks them up; the strict reader reports every place where another reader would differ.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "container/zip_stream_view.h"
#include "container/zip_members.h"
#include "artifact/zip_probe.h"
#include "core/rule_catalog.h"
#include "format/keras_config.h"
#include "format/scanners.h"

namespace modelgate {

void scan_keras_archive(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto ar = take_zip_directory(a, ctx.limits());
  if (!ar) {
    report.add(make_finding(rule("MG-KERAS-MALFORMED"), a.origin, ar.error().offset,
                            "cannot read the .keras archive: " + ar.error().reason));
    return;
  }
  for (auto& f : ar->findings) report.add(std::move(f));
  report_zip_stream_view(a, *ar, ctx.limits(), report);
  report.details.archive = ArchiveDetails{ar->members.size()};
  const zip::Member* config = ar->find_as_zipfile("config.json");
  const zip::Member* metadata = ar->find_as_zipfile("metadata.json");
  if (config == nullptr) {
    report.add(make_finding(rule("MG-KERAS-MALFORMED"), a.origin, std::nullopt, "the archive has no config.json"));
    return;
  }
  auto config_bytes = open_zip_member(a, *config, ctx, report);
  if (!config_bytes) {
    report.add(make_finding(rule("MG-KERAS-MALFORMED"), a.origin, config->local_header_offset,
                            "config.json cannot be read, so the model's code cannot be judged"));
    return;
  }
  analyse_keras_config(as_chars(config_bytes->bytes), config_bytes->origin, ctx.limits(), report);
  if (metadata != nullptr) {
    auto meta_bytes = open_zip_member(a, *metadata, ctx, report);
    auto meta = meta_bytes ? nlohmann::json::parse(as_chars(meta_bytes->bytes), nullptr, false)
                           : nlohmann::json(nlohmann::json::value_t::discarded);
    if (meta.is_discarded() || !meta.is_object()) {
      report.add(make_finding(rule("MG-KERAS-MALFORMED"), a.origin + "!/metadata.json", std::nullopt,
                              "metadata.json is not a JSON object"));
    } else {
      auto text = [&meta](const char* key) -> std::optional<std::string> {
        if (meta.contains(key) && meta[key].is_string()) return meta[key].get<std::string>();
        return std::nullopt;
      };
      auto& keras = details_of(report.details.keras);
      keras.keras_version = text("keras_version");
      keras.date_saved = text("date_saved");
    }
  }
  scan_zip_members(a, *ar, ctx, report,
                   [&](const zip::Member& m) { return &m == config || &m == metadata; });
}

}  // namespace modelgate
