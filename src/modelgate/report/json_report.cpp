#include "report/json_report.h"

#include "core/json_text.h"
#include "core/model_facts_json.h"
#include "core/parsed_facts_json.h"
#include "modelgate/render.h"
#include "modelgate/version.h"
#include "sandbox/sandbox_layers_json.h"

namespace modelgate {

nlohmann::json finding_to_json(const Finding& f) {
  nlohmann::json j = {{"rule", f.rule},
                      {"severity", to_string(f.severity)},
                      {"status", to_string(f.status)},
                      {"origin", f.origin},
                      {"message", f.message}};
  if (f.offset) j["offset"] = *f.offset;
  if (!f.evidence.empty()) j["evidence"] = f.evidence;
  return j;
}

nlohmann::json report_to_json(const ArtifactReport& r) {
  nlohmann::json j = {{"origin", r.origin},
                      {"format", r.format},
                      {"size", r.size},
                      {"status", to_string(r.status)}};
  j["findings"] = nlohmann::json::array();
  for (const auto& f : r.findings) j["findings"].push_back(finding_to_json(f));
  if (auto facts = facts_json(r); !facts.empty()) j["facts"] = std::move(facts);
  if (auto model = model_facts_json(r.model); !model.empty()) j["model"] = std::move(model);
  if (!r.sha256.empty()) j["sha256"] = r.sha256;
  if (!r.sha512.empty()) j["sha512"] = r.sha512;
  if (!r.children.empty()) {
    j["children"] = nlohmann::json::array();
    for (const auto& c : r.children) j["children"].push_back(report_to_json(c));
  }
  return j;
}

void render_json(const ScanResult& result, std::ostream& out) {
  nlohmann::json j = {{"schema", kScanSchema},
                      {"tool", {{"name", "modelgate"}, {"version", kVersion}}},
                      {"decision", {{"allow", result.decision.allow}, {"reasons", result.decision.reasons}}},
                      {"sandbox", sandbox::sandbox_layers_json(result.sandbox)}};
  j["artifacts"] = nlohmann::json::array();
  for (const auto& r : result.artifacts) j["artifacts"].push_back(report_to_json(r));
  out << json_text(j, 2) << '\n';
}

}  // namespace modelgate
