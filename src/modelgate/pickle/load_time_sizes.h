#pragma once
// The numbers a call's arguments stand for when the loader runs it: a size need not be a plain
// int. numpy's int scalars (`scalar(dtype('int64'), b'...')`, `numpy.int64(...)`), bools and
// `int(...)` all have __index__, and bytearray, range and numpy's shapes take any of them.
#include <cstdint>
#include <optional>
#include <string>

#include "pickle/value.h"

namespace modelgate::pickle {

struct LoadTimeNumber {
  enum class Is : std::uint8_t {
    known,        // `value` (saturated at UINT64_MAX; `negative` when below zero)
    not_integer,  // a float, text, a container, a class: the call raises on it or reads it as data
    unknown,      // computed at load in a way the scan does not follow: any number
  };
  Is is = Is::unknown;
  std::uint64_t value = 0;
  bool negative = false;
};

LoadTimeNumber load_time_number(const ValueGraph& g, const Value& v);

// The bytes of one item of the dtype numpy makes from `dtype` (a numpy.dtype call, a type code
// such as b'b', 'f8', 'V12', '<U5', or None for float64); nullopt when the scan cannot tell.
std::optional<std::uint64_t> numpy_item_bytes(const ValueGraph& g, const Value& dtype);

// The number of elements of a numpy shape (an int or a tuple of them): known, with 0 for a shape
// numpy rejects (a negative dimension), or unknown. `retained` says whether a tuple of plain
// numbers kept its items; when it did not and no item is known to be 0, the shape is unknown and
// `needs_items` is set.
struct ShapeElements {
  LoadTimeNumber::Is is = LoadTimeNumber::Is::unknown;
  std::uint64_t elements = 0;
  bool needs_items = false;
};
ShapeElements numpy_shape_elements(const ValueGraph& g, const Value& shape);

}  // namespace modelgate::pickle
