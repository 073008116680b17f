#pragma once
// Value-or-error for parsers of untrusted bytes: bad input is an expected outcome, not an exception.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "modelgate/expected.h"

namespace modelgate {

struct ParseError {
  std::uint64_t offset = 0;  // byte offset in the artifact being parsed
  std::string reason;
};

template <class T>
using Expected = ValueOr<T, ParseError>;

inline ParseError parse_error(std::uint64_t offset, std::string reason) {
  return ParseError{offset, std::move(reason)};
}

}  // namespace modelgate
