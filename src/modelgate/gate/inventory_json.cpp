#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "modelgate/inventory.h"

namespace modelgate {

namespace {

nlohmann::json stored_result_json(const StoredResult& r) {
  return {{"sha256", r.key.sha256}, {"size", r.key.size},       {"name", r.key.name},       {"format", r.format},
          {"status", r.status},     {"version", r.key.version}, {"ruleset", r.key.ruleset}, {"recorded_at", r.recorded_at}};
}

// Paths and rules are stored as JSON text; shown as JSON again (as text when a row holds something else).
nlohmann::json stored_json_text(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

nlohmann::json decision_record_json(const DecisionRecord& d) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : d.files) files.push_back({{"sha256", f.sha256}, {"origin", f.origin}});
  return {{"id", d.id},
          {"recorded_at", d.recorded_at},
          {"decision", d.decision},
          {"mode", d.mode},
          {"would_deny", d.would_deny},
          {"policy_sha256", d.policy_sha256},
          {"paths", stored_json_text(d.paths)},
          {"files", files},
          {"rules", stored_json_text(d.rules)}};
}

nlohmann::json results_array(const std::vector<StoredResult>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) out.push_back(stored_result_json(r));
  return out;
}

nlohmann::json decisions_array(const std::vector<DecisionRecord>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : rows) out.push_back(decision_record_json(d));
  return out;
}

}  // namespace

std::string stored_results_json(const std::vector<StoredResult>& rows) { return json_text(results_array(rows), 2) + "\n"; }

std::string decision_records_json(const std::vector<DecisionRecord>& rows) {
  return json_text(decisions_array(rows), 2) + "\n";
}

std::string content_history_json(const std::vector<StoredResult>& rows, const std::vector<DecisionRecord>& decisions) {
  return json_text({{"results", results_array(rows)}, {"decisions", decisions_array(decisions)}}, 2) + "\n";
}

}  // namespace modelgate
