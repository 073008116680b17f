#pragma once
// Allowlisted builtins whose call allocates in proportion to a number in the file rather than to
// the file's own bytes: bytearray(2*10**9) is 51 bytes of pickle and 2 GB of zeroes at load, and
// list(range(10**10)) materialises every element.
#include <cstdint>
#include <string_view>

namespace modelgate::pickle {

enum class SizedArgument : std::uint8_t {
  none,
  bytes_or_elements,  // bytes(n), bytearray(n): n zero bytes; bytes(range(n)): n elements
  elements,           // list, tuple, set, frozenset, deque, Counter: one element per item of a range
};

SizedArgument sized_constructor(std::string_view callable);

// The number of items range(start, stop, step) yields (at most INT64_MAX), or -1 when step is 0
// (range raises).
std::int64_t range_length(std::int64_t start, std::int64_t stop, std::int64_t step);

}  // namespace modelgate::pickle
