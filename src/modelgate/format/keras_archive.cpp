// Keras v3 `.keras` archives: config.json is analysed for code it would load, metadata.json is
// read for facts, and every other member (model.weights.h5, assets) is scanned as a nested artifact.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "format/code_format_probes.h"
#include "format/keras_archive_reader.h"
#include "format/keras_config.h"
#include "scan/format_table.h"

namespace modelgate {

bool looks_like_keras_archive(ByteView bytes) {
  static constexpr std::uint8_t kLocalHeader[] = {'P', 'K', 3, 4};
  if (bytes.size() < 4 || !std::equal(kLocalHeader, kLocalHeader + 4, bytes.begin())) return false;
  auto names = list_keras_member_names(bytes, 100000);
  if (!names) return false;
  auto has = [&](std::string_view n) { return std::find(names->begin(), names->end(), n) != names->end(); };
  return has("config.json") && (has("metadata.json") || has("model.weights.h5") || has("model.weights.npz"));
}

void scan_keras_archive(const Artifact& a, ScanContext& ctx, ArtifactReport& report) {
  auto members = read_keras_members(a.bytes, ctx.limits());
  if (!members) {
    report.add(make_finding(rule("MG-KERAS-MALFORMED"), a.origin, std::nullopt,
                            "cannot read the .keras archive: " + members.error().reason));
    return;
  }
  std::set<std::string> seen;
  const KerasMember* config = nullptr;
  const KerasMember* metadata = nullptr;
  for (const auto& m : *members) {
    if (!seen.insert(m.name).second) {
      report.add(make_finding(rule("MG-KERAS-MALFORMED"), a.origin, std::nullopt,
                              "member '" + m.name + "' appears more than once; readers disagree on which copy counts"));
      return;
    }
    if (m.name == "config.json") config = &m;
    if (m.name == "metadata.json") metadata = &m;
  }
  if (config == nullptr) {
    report.add(make_finding(rule("MG-KERAS-MALFORMED"), a.origin, std::nullopt, "the archive has no config.json"));
    return;
  }
  analyse_keras_config(as_chars(config->data->bytes()), a.origin + "!/config.json", report);
  if (metadata != nullptr) {
    auto meta = nlohmann::json::parse(as_chars(metadata->data->bytes()), nullptr, false);
    if (meta.is_discarded() || !meta.is_object()) {
      report.add(make_finding(rule("MG-KERAS-MALFORMED"), a.origin + "!/metadata.json", std::nullopt,
                              "metadata.json is not a JSON object"));
    } else {
      for (const char* key : {"keras_version", "date_saved"})
        if (meta.contains(key) && meta[key].is_string()) report.facts[key] = meta[key];
    }
  }
  for (const auto& m : *members) {
    if (&m == config || &m == metadata || m.name.ends_with('/')) continue;
    Artifact child = a.child(m.name, m.data->bytes(), m.data);
    report.children.push_back(ctx.scan(child));
  }
}

}  // namespace modelgate
