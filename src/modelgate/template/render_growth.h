#pragma once
// Rendering cost that grows exponentially although no literal in the template is large: a
// recursion (macros, call blocks, recursive loops) that runs itself two or more times per run
// (recursion_growth.h), and a namespace attribute that a loop, macro or call block sets from
// itself through an operation that multiplies its size (carried_growth.h). Both treat any loop
// count the template text does not fix as unbounded, and trust only walks into the context's data
// (context_data.h) to end.
#include <vector>

#include "template/analyse.h"
#include "template/ast.h"

namespace modelgate::jinja {

// MG-TEMPLATE-RESOURCE issues, at most one per macro, call block, recursive loop or assignment.
std::vector<Issue> find_render_growth(const Ast& ast);

}  // namespace modelgate::jinja
