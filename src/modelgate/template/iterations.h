#pragma once
// How many times a loop over an iterable runs, when the template text alone decides it. Used by
// the render-growth checks, which must treat every other count as unbounded: a loop over the
// messages, over a filter's result or over range(n) of a computed n can run any number of times.
#include <optional>

#include "template/ast.h"

namespace modelgate::jinja {

// A count no real bound is known for.
inline constexpr double kUnboundedIterations = 1e9;

// The length of a list, tuple or dict literal, of a string literal, or of range() over integer
// constant expressions (literals joined by + - * // % and unary signs); nullopt for anything else.
std::optional<double> literal_iterations(const Ast& ast, NodeId iterable);

// literal_iterations, or kUnboundedIterations.
double iterations(const Ast& ast, NodeId iterable);

}  // namespace modelgate::jinja
