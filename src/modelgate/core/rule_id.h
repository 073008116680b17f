#pragma once
// RuleId's constructor, checked when the code is compiled: every id comes from the modules' rule
// tables (generated/rule_ids.inc, listed by cmake/rule_ids.cmake), so that `rule("MG-TYPO")` does
// not build instead of throwing in the one scan that reaches it.
#include <algorithm>
#include <iterator>
#include <string_view>

#include "modelgate/rule_id.h"

namespace modelgate {

namespace rule_ids {
inline constexpr std::string_view kAll[] = {
#include "rule_ids.inc"
};
}  // namespace rule_ids

consteval RuleId::RuleId(const char* id) : id_(id) {
  if (std::find(std::begin(rule_ids::kAll), std::end(rule_ids::kAll), id_) == std::end(rule_ids::kAll))
    throw "not the id of any rule in the modules' rule tables";  // ends the compile-time evaluation
}

}  // namespace modelgate
