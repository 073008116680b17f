#include "template/render_growth.h"

#include "template/carried_growth.h"
#include "template/context_data.h"
#include "template/recursion_growth.h"

namespace modelgate::jinja {

std::vector<Issue> find_render_growth(const Ast& ast) {
  const ContextData data(ast);
  std::vector<Issue> out = find_recursion_growth(ast, data);
  for (auto& i : find_carried_growth(ast, data)) out.push_back(std::move(i));
  return out;
}

}  // namespace modelgate::jinja
