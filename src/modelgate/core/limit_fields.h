#pragma once
// The scan limits by name: how a policy sets them and how the rule-set digest covers every one of
// them (a cached verdict is only reused under the limits it was reached with).
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "modelgate/limits.h"

namespace modelgate {

struct LimitField {
  std::string_view name;  // the member's name, as docs/limits.md spells it
  std::variant<std::uint32_t Limits::*, std::uint64_t Limits::*> member;

  std::uint64_t get(const Limits& limits) const {
    return std::visit([&](auto m) { return static_cast<std::uint64_t>(limits.*m); }, member);
  }
  // False when `value` does not fit the member's type.
  bool set(Limits& limits, std::uint64_t value) const;
  std::uint64_t max_value() const;
};

// Every member of Limits, in declaration order (tests/gate_policy_test.cpp checks that none is missing).
std::span<const LimitField> limit_fields();

}  // namespace modelgate
