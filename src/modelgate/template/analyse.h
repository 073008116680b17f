#pragma once
// Static analysis of a parsed Jinja template for template-injection primitives. It never renders:
// it walks the tree in document order, folds constant strings, and reports every construct that
// leaves the vocabulary of real chat templates.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/rule_id.h"
#include "modelgate/limits.h"
#include "template/ast.h"

namespace modelgate::jinja {

struct Issue {
  RuleId rule;  // MG-TEMPLATE-...
  std::uint32_t offset = 0;
  std::string message;
};

// Issues in document order, at most one per (rule, offset). Constant folding is bounded by
// Limits::max_template_fold_*.
std::vector<Issue> analyse_template(const Ast& ast, const Limits& limits);

}  // namespace modelgate::jinja
