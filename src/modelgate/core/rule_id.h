#pragma once
// A rule id checked when the code is compiled: every id comes from the modules' rule tables
// (generated/rule_ids.inc, listed by cmake/rule_ids.cmake), so that `rule("MG-TYPO")` does not
// build instead of throwing in the one scan that reaches it.
#include <algorithm>
#include <iterator>
#include <string_view>

namespace modelgate {

namespace rule_ids {
inline constexpr std::string_view kAll[] = {
#include "rule_ids.inc"
};
}  // namespace rule_ids

class RuleId {
 public:
  // No rule yet (a refusal not filled in): rule() refuses it.
  constexpr RuleId() = default;
  // Only a constant expression converts: an id known at run time goes through find_rule().
  consteval RuleId(const char* id) : id_(id) {
    if (std::find(std::begin(rule_ids::kAll), std::end(rule_ids::kAll), id_) == std::end(rule_ids::kAll))
      throw "not the id of any rule in the modules' rule tables";  // ends the compile-time evaluation
  }
  constexpr std::string_view view() const { return id_; }
  friend constexpr bool operator==(RuleId, RuleId) = default;

 private:
  std::string_view id_;
};

}  // namespace modelgate
