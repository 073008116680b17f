#pragma once
// Which template values are only data the render context gave (messages, tools, their items,
// attributes and selections) and never a structure the template built. Context data comes from
// JSON: a finite tree the application chose, with no shared parts, so a recursion that walks into
// it ends with it. A structure the template builds (nested literals, a list holding one value
// twice, a chain of `set`s) can be as deep and as shared as the template wants.
//
// Flow-insensitive and sound, like OriginAnalysis, per variable (Scopes): a read is context data
// only when every binding it may see (set, tuple set, for target, macro parameter at every call
// site and its default, with) is; call-block parameters, imports, macro names and Jinja's globals
// never are. A field of a name bound only to namespace(...) is context data when every binding of a
// field of that spelling (namespace(field=...), `set x.field`, anywhere) is: a namespace is a
// variable the template may set from any loop or macro, but no more than the values it is set to.
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "template/ast.h"
#include "template/scopes.h"

namespace modelgate::jinja {

class ContextData {
 public:
  explicit ContextData(const Ast& ast);

  // Whether the variable a binding node binds (Scopes::variable) holds context data.
  bool binds_data(NodeId binding) const;
  // An expression whose value is context data or a scalar: context names, their attributes, items,
  // filtered values and method results with such arguments, comparisons, tests, `~` strings,
  // constants. Literal lists and dicts are not: the template builds them.
  bool expr(NodeId e) const;
  // expr, or a literal list, tuple or dict of such expressions (one level: what a call passes).
  bool argument(NodeId e) const;
  // Bound by the template anywhere (set, for, macro parameter, with, import, call-block parameter,
  // macro definition).
  bool bound(const std::string& n) const { return bound_.count(n) != 0; }
  const Scopes& scopes() const { return scopes_; }

 private:
  struct Binding {
    std::string name;        // the variable (Scopes)
    NodeId value = kNoNode;  // kNoNode: never context data
    bool argument = false;   // judged as a call argument (macro parameters)
    bool undefined = false;  // an omitted argument without default: an undefined value
  };
  void collect();
  bool name(NodeId read) const;
  bool namespace_field(const Node& getattr) const;
  bool is_namespace_call(NodeId id) const;
  void bind_target(NodeId target, NodeId value);
  void bind_calls_to(const Node& macro, const std::vector<NodeId>& calls, bool escapes);

  const Ast& ast_;
  Scopes scopes_;
  std::vector<Binding> bindings_;
  std::unordered_set<std::string> bound_;     // spellings
  std::unordered_set<std::string> not_data_;  // variables (Scopes), ".field" for namespace fields
  std::unordered_set<std::string> namespaces_;  // variables bound only to namespace(...)
  bool opaque_namespaces_ = false;               // a namespace made with fields we cannot see
};

}  // namespace modelgate::jinja
