#pragma once
// A value that grows by a factor on every pass of a loop. Only namespace attributes keep a value
// from one pass of a loop to the next (and from one run of a macro or call block to the next), so
// the check looks at every `{% set ns.attr = ... %}` (and block set) that can run more than once:
// inside a loop whose count is not a small literal, or inside a macro or call block, which can be
// called any number of times.
//
// A value read from such attributes ("carried": any `x.attr` of a value that is not context data
// where some `set` targets `.attr`, the same by subscript or |attr, plain names set from carried
// values, macro calls whose body reads carried values) may be used once, through operations that
// keep its size: `~` and `+` with other values (the accumulation of a chat history grows only by
// what it appends), attributes and items of it, comparisons, tests, and a short list of filters
// and methods that never lengthen a string. Anything else grows it by a factor per pass: two reads
// (ns.s ~ ns.s), repetition (ns.s * 2), a filter or method that can lengthen it (replace, center,
// join, format, tojson, string), a macro call it is passed to, a loop inside a block set. Attributes
// that only ever hold numbers may be added to themselves (counters, sums); squaring them is growth.
#include <vector>

#include "template/analyse.h"
#include "template/ast.h"
#include "template/context_data.h"

namespace modelgate::jinja {

// MG-TEMPLATE-RESOURCE issues, at most one per assignment.
std::vector<Issue> find_carried_growth(const Ast& ast, const ContextData& data);

}  // namespace modelgate::jinja
