#pragma once
// The CWE a finding's rule is an instance of, for the BOM's vulnerabilities: 502 (deserialization
// of untrusted data), 94 (code injection), 22 (path traversal). Rules that are none of these
// (malformed or ambiguous files, limits) have no CWE.
#include <optional>
#include <span>
#include <string_view>

namespace modelgate::bom {

struct RuleCwe {
  std::string_view rule;
  int cwe;
};

std::span<const RuleCwe> rule_cwes();
std::optional<int> cwe_of_rule(std::string_view rule);

}  // namespace modelgate::bom
