#pragma once
// Rendering work that multiplies with every level of a recursion although no literal is large.
// Three things in a template run their own body again: a macro calling itself (directly, through
// other macros, through an alias or argument it escapes into), a `{% call %}` block's body run by
// `caller()` in the macro it calls, and a `recursive` for loop run again by `loop(items)`. Each is
// a unit of a call graph; a unit that, in one run, starts two or more runs of units that lead back
// to it (one branch of an `if` at a time, a call in a loop counted once per pass: the length of a
// literal, of range() over constants, or unbounded for any other iterable) makes work exponential
// in the depth of the recursion.
//
// A run started with arguments that are strict parts of context data (an attribute, a non-slice
// item, an element of a loop over it: ContextData) is not counted: it walks a finite tree the
// application gave and ends with it. Slices, string methods and filters that make a smaller value
// of the same kind (s[1:], s.replace(...), xs|reject(...)) are not parts: a value that loses one
// element per level with two calls per level costs 2^length. Parts are counted too when the
// recursion can set a namespace attribute: a counter in a namespace can then bound the depth
// instead of the data, and a part of a one-character string is that string again.
#include <vector>

#include "template/analyse.h"
#include "template/ast.h"
#include "template/context_data.h"

namespace modelgate::jinja {

// MG-TEMPLATE-RESOURCE issues, at most one per macro, call block or recursive loop.
std::vector<Issue> find_recursion_growth(const Ast& ast, const ContextData& data);

}  // namespace modelgate::jinja
