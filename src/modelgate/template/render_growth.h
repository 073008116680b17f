#pragma once
// Rendering cost that grows exponentially although no literal in the template is large:
//  - a macro that calls itself, directly or through other macros, two or more times per call with
//    arguments that are not parts of its own arguments (f(n - 1) twice, or once in range(9)): each
//    level multiplies the work until Python's recursion limit, far past any time budget. A call that
//    hands down a part of the data it was given (an attribute, an item, an element of a loop over
//    it) walks that data and ends with it; such calls are not counted.
//  - a loop that sets a namespace attribute from two or more reads of the attributes the loop sets
//    (ns.s = ns.s ~ ns.s): the value doubles on every pass, and a loop over the messages of a long
//    conversation makes it larger than any memory. Attributes that start as numbers are not counted.
#include <vector>

#include "template/analyse.h"
#include "template/ast.h"

namespace modelgate::jinja {

// MG-TEMPLATE-RESOURCE issues, at most one per macro or assignment.
std::vector<Issue> find_render_growth(const Ast& ast);

}  // namespace modelgate::jinja
