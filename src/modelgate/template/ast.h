#pragma once
// The syntax tree of a Jinja2 template. Nodes live in one vector and refer to their children by
// index, so that a hostile template cannot make destruction recurse.
#include <cstdint>
#include <string>
#include <vector>

namespace modelgate::jinja {

using NodeId = std::int32_t;
inline constexpr NodeId kNoNode = -1;

enum class NodeKind : std::uint8_t {
  // Statements
  body,          // kids: statements in order
  text,          // text: template data
  print,         // kids: [expr]          ({{ expr }} and {% print expr %})
  if_stmt,       // kids: [test, then body, else (body | if_stmt | kNoNode)]
  for_stmt,      // kids: [target, iterable, body, else body | kNoNode, filter test | kNoNode]; flag: recursive
  set_stmt,      // kids: [target, value]
  set_block,     // kids: [target, body, filter chain | kNoNode]
  macro,         // text: name; kids: [params (body of name/keyword nodes), body]
  call_block,    // kids: [call expr, params, body]
  filter_block,  // kids: [filter chain over a placeholder, body]
  with_stmt,     // kids: [assignments (body of set_stmt), body]
  include,       // kids: [template expr]
  import_stmt,   // text: alias; kids: [template expr]
  from_import,   // kids: [template expr, name or keyword(alias) ...]
  extends,       // kids: [template expr]
  block,         // text: name; kids: [body]
  do_stmt,       // kids: [expr]
  break_stmt,
  continue_stmt,
  generation,    // Hugging Face's {% generation %} block; kids: [body]
  autoescape,    // kids: [expr, body]
  // Expressions
  name,          // text: identifier
  string,        // text: decoded value; flag: contains an escape we could not decode
  integer,       // ival (flag: fits), text: digits
  floating,      // text: literal
  boolean,       // ival 0/1
  none,
  list,          // kids: items
  tuple,         // kids: items
  dict,          // kids: key, value, key, value, ...
  getattr,       // text: attribute; kids: [object]
  getitem,       // kids: [object, key]
  slice,         // kids: [start | kNoNode, stop | kNoNode, step | kNoNode]
  call,          // kids: [callee, args...]
  keyword,       // text: name; kids: [value]
  star_arg,      // kids: [value]   (*args)
  dstar_arg,     // kids: [value]   (**kwargs)
  filter,        // text: filter name; kids: [operand | kNoNode, args...]
  test,          // text: test name; kids: [operand, args...]; flag: negated (is not)
  binary,        // text: operator (+ - * / // % ** and or in "not in" == != < <= > >=); kids: [l, r]
  unary,         // text: - + not; kids: [operand]
  concat,        // kids: operands of ~
  cond_expr,     // kids: [then, test, else | kNoNode]
  placeholder,   // operand of a filter block's filter chain
};

struct Node {
  NodeKind kind = NodeKind::none;
  bool flag = false;
  std::uint32_t offset = 0;  // byte offset in the template source
  std::int64_t ival = 0;
  std::string text;
  std::vector<NodeId> kids;
};

struct Ast {
  std::vector<Node> nodes;
  NodeId root = kNoNode;
  const Node& at(NodeId id) const { return nodes[static_cast<std::size_t>(id)]; }
  // The child `i` of `id`, or kNoNode.
  NodeId kid(NodeId id, std::size_t i) const {
    const auto& k = at(id).kids;
    return i < k.size() ? k[i] : kNoNode;
  }
};

}  // namespace modelgate::jinja
