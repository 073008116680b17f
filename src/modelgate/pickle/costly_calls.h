#pragma once
// Allowlisted constructors whose time grows much faster than the bytes that ask for it (red team,
// session 23): Fraction('1e999999999') computes 10**999999999, and so does int() or Fraction() of
// Decimal('1e999999999'); the punycode codec is quadratic in its text, and bytes(), str() and
// _codecs.encode reach every codec by name. Real writers pickle a Decimal or a Fraction as its
// str() (a short exponent) and text as latin-1 or UTF-8.
#include <optional>
#include <string>
#include <string_view>

#include "pickle/value.h"

namespace modelgate::pickle {

// Why calling `callable` with `args` (the call's argument tuple, or null when the arguments are
// plain numbers the fast path did not keep) takes more time than its input accounts for, or
// cannot be bounded from the pickle; nullopt when it is cheap or `callable` is not one of these.
std::optional<std::string> costly_call(std::string_view callable, const Node* args, const ValueGraph& g);

}  // namespace modelgate::pickle
