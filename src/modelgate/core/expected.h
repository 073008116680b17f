#pragma once
// Value-or-error for parsers, lexers and loaders of untrusted bytes: bad input is an expected
// outcome, not an exception.
#include <cstdint>
#include <string>
#include <utility>

#include "core/rule_id.h"
#include "modelgate/error.h"
#include "modelgate/expected.h"

namespace modelgate {

template <class T>
using Expected = ValueOr<T, Error>;

inline Error parse_error(std::uint64_t offset, std::string reason) { return Error{offset, std::move(reason), {}, {}}; }

// An error the reader refuses under a rule of its own.
inline Error parse_error(RuleId rule, std::uint64_t offset, std::string reason) {
  return Error{offset, std::move(reason), rule, {}};
}

}  // namespace modelgate
