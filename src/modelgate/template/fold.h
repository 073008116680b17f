#pragma once
// Constant folding over the template tree: the value an expression has when it is built only
// from literals (string pieces joined with ~, +, join, format, replace, %, case changes,
// slicing, variables set to such values, macros that only emit such values). Template-injection
// payloads hide "__class__" and friends this way; the analysis checks the folded result.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "modelgate/limits.h"
#include "template/ast.h"

namespace modelgate::jinja {

struct Value {
  enum class Kind : std::uint8_t { string, integer, boolean, none, list };
  Kind kind = Kind::none;
  std::string str;
  std::int64_t num = 0;
  std::vector<Value> items;
};

// What a variable was last set to: an expression, a block body ({% set x %}...{% endset %}), an
// item of an iterable (a loop target, a name of a tuple set: node is the iterable), or something
// unknown (a macro parameter).
struct Binding {
  enum class Kind : std::uint8_t { expr, body, item, unknown };
  Kind kind = Kind::unknown;
  NodeId node = kNoNode;
};

class Folder {
 public:
  // Folding gives up (the value is unknown) past Limits::max_template_fold_*.
  Folder(const Ast& ast, const Limits& limits);

  // The constant value of `id`, or nullptr. Variables resolve to their binding at the time of
  // the call, so the analysis calls this in document order.
  const Value* fold(NodeId id);

  // `name` may be "ns.attr" for namespace attributes.
  void bind(const std::string& name, Binding b);
  const Binding* binding(const std::string& name) const;
  // Every binding `name` ever had, for checks that must hold on all of them.
  const std::vector<Binding>& history(const std::string& name) const;
  void define_macro(const std::string& name, NodeId macro);
  NodeId macro(const std::string& name) const;

  // The text a value has under Python's str(), when it is simple enough.
  static std::optional<std::string> to_str(const Value& v);

 private:
  std::optional<Value> compute(NodeId id);
  std::optional<Value> fold_body(NodeId body);
  std::optional<Value> fold_name(const std::string& name);
  std::optional<Value> fold_filter(const Node& n);
  std::optional<Value> fold_call(const Node& n);
  std::optional<Value> fold_binary(const Node& n);
  std::optional<Value> fold_getitem(const Node& n);
  std::optional<Value> method(const Value& self, const std::string& name, const std::vector<const Value*>& args);

  const Ast& ast_;
  const Limits& lim_;
  std::vector<std::uint8_t> state_;  // 0 not computed, 1 in progress, 2 done
  std::vector<std::optional<Value>> memo_;
  std::unordered_map<std::string, Binding> current_;
  std::unordered_map<std::string, std::vector<Binding>> history_;
  std::unordered_map<std::string, NodeId> macros_;
  std::size_t depth_ = 0;
};

}  // namespace modelgate::jinja
