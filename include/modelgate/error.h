#pragma once
// The library's one error: why, where (the byte offset, and the file or member when known) and,
// when the reader that failed decides it, under which rule. Returned in a ValueOr, never thrown.
#include <cstdint>
#include <string>

#include "modelgate/rule_id.h"

namespace modelgate {

struct Error {
  std::uint64_t offset = 0;  // byte offset in what was being read
  std::string reason;
  RuleId rule;         // empty when the reader leaves the rule to its caller
  std::string origin;  // the file or member read; empty when the reader does not know it

  // "origin: reason", or the reason alone.
  std::string message() const { return origin.empty() ? reason : origin + ": " + reason; }
};

}  // namespace modelgate
