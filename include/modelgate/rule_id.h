#pragma once
// The id of a rule, as the library's errors and findings carry it. Inside the library an id is
// checked against the modules' rule tables when the code is compiled (core/rule_id.h defines the
// constructor), so that `RuleId("MG-TYPO")` does not build; outside it, ids are only read.
#include <string_view>

namespace modelgate {

class RuleId {
 public:
  // No rule: the reader that made an error does not decide it, its caller does.
  constexpr RuleId() = default;
  // Only a constant expression converts: an id known at run time goes through find_rule().
  consteval RuleId(const char* id);
  constexpr std::string_view view() const { return id_; }
  constexpr bool empty() const { return id_.empty(); }
  friend constexpr bool operator==(RuleId, RuleId) = default;

 private:
  std::string_view id_;
};

}  // namespace modelgate
