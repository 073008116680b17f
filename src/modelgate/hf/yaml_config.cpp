#include "hf/yaml_config.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/rule_catalog.h"
#include "hf/hyperpyyaml.h"
#include "hf/ldm_config.h"
#include "hf/loader_routes.h"
#include "readers/yaml_document.h"

namespace modelgate {

void analyse_yaml_config(std::string_view text, std::string_view file_name, const std::string& origin,
                         const Limits& limits, ArtifactReport& report) {
  analyse_hyperpyyaml(text, origin, limits, report);
  auto documents = yaml::read_documents(text, limits.max_json_depth);
  if (!documents) {
    const auto& why = documents.error();
    report.add(why.rule == RuleId("MG-LIMIT-EXCEEDED")
                   ? make_finding(rule("MG-LIMIT-EXCEEDED"), origin, why.offset, why.reason)
                   : make_finding(rule("MG-YAML-UNREADABLE"), origin, why.offset, "libyaml: " + why.reason));
    return;
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& f : report.findings) seen.emplace(f.rule, f.evidence);
  const std::size_t first = report.findings.size();
  for (const auto& doc : *documents) {
    analyse_loader_routes(doc, base_name(file_name), origin, report);
    analyse_ldm_document(doc, origin, report);
  }
  auto repeated = [&](const Finding& f) { return !seen.emplace(f.rule, f.evidence).second; };
  report.findings.erase(std::remove_if(report.findings.begin() + static_cast<std::ptrdiff_t>(first),
                                       report.findings.end(), repeated),
                        report.findings.end());
}

}  // namespace modelgate
