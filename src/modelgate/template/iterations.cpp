#include "template/iterations.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace modelgate::jinja {

namespace {
namespace iteration_count {  // a namespace of its own: the unity build joins this file with others

constexpr double kLarge = 1e15;  // constant expressions beyond this are not counted exactly
constexpr unsigned kMaxDepth = 64;

// The value of an integer constant expression, nullopt when it is not one (or leaves +-kLarge).
std::optional<double> constant(const Ast& ast, NodeId id, unsigned depth = 0) {
  if (id == kNoNode || depth > kMaxDepth) return std::nullopt;
  const Node& n = ast.at(id);
  if (n.kind == NodeKind::integer) {
    if (!n.flag) return std::nullopt;
    return static_cast<double>(n.ival);
  }
  if (n.kind == NodeKind::unary && n.kids.size() == 1 && (n.text == "-" || n.text == "+")) {
    auto v = constant(ast, n.kids[0], depth + 1);
    if (!v) return std::nullopt;
    return n.text == "-" ? -*v : *v;
  }
  if (n.kind != NodeKind::binary || n.kids.size() != 2) return std::nullopt;
  auto l = constant(ast, n.kids[0], depth + 1);
  auto r = constant(ast, n.kids[1], depth + 1);
  if (!l || !r) return std::nullopt;
  double v = 0;
  if (n.text == "+") v = *l + *r;
  else if (n.text == "-") v = *l - *r;
  else if (n.text == "*") v = *l * *r;
  else if (n.text == "//" || n.text == "%") {
    if (*r == 0) return std::nullopt;
    const double q = std::floor(*l / *r);
    v = n.text == "//" ? q : *l - q * *r;
  } else {
    return std::nullopt;
  }
  if (std::fabs(v) > kLarge) return std::nullopt;
  return v;
}

}  // namespace iteration_count
}  // namespace

std::optional<double> literal_iterations(const Ast& ast, NodeId iterable) {
  if (iterable == kNoNode) return std::nullopt;
  const Node& it = ast.at(iterable);
  if (it.kind == NodeKind::list || it.kind == NodeKind::tuple) return static_cast<double>(it.kids.size());
  if (it.kind == NodeKind::dict) return static_cast<double>(it.kids.size() / 2);
  // Characters, counted as bytes: never fewer than the code points Jinja iterates over.
  if (it.kind == NodeKind::string) return static_cast<double>(it.text.size());
  if (it.kind != NodeKind::call || it.kids.empty() || ast.at(it.kids[0]).kind != NodeKind::name ||
      ast.at(it.kids[0]).text != "range" || it.kids.size() < 2 || it.kids.size() > 4)
    return std::nullopt;
  std::vector<double> args;
  for (std::size_t i = 1; i < it.kids.size(); ++i) {
    auto v = iteration_count::constant(ast, it.kids[i]);
    if (!v) return std::nullopt;
    args.push_back(*v);
  }
  double start = 0, stop = 0, step = 1;
  if (args.size() == 1) stop = args[0];
  else start = args[0], stop = args[1];
  if (args.size() == 3) step = args[2];
  if (step == 0) return 0;  // range() raises
  return std::max(0.0, std::ceil((stop - start) / step));
}

double iterations(const Ast& ast, NodeId iterable) {
  auto n = literal_iterations(ast, iterable);
  return n ? std::min(*n, kUnboundedIterations) : kUnboundedIterations;
}

}  // namespace modelgate::jinja
