#pragma once
// What a template value may be at render time under the weakest renderer (a plain
// jinja2.Environment: no sandbox, any Python attribute reachable). Flow-insensitive and sound:
// a name stands for the union of everything the template ever binds to it (set, tuple set, for
// targets, macro parameters from every call site, with, imports, namespace attributes) plus, when
// it may be unbound, what the context gives. Trust is given to that union, never to the name.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "template/ast.h"
#include "template/fold.h"

namespace modelgate::jinja {

struct Origin {
  bool data = false;      // from the render context (messages, tools, ...) by selection only
  bool nonstr = false;    // provably not a str (numbers, booleans, None, containers, range)
  bool computed = false;  // anything else: built at render time, a global object, unknown
  bool loop = false;      // Jinja's loop object
  std::set<std::string> consts;  // string constants it may be
  // Containers the template built: list/tuple elements, dict keys, dict (and namespace) values.
  std::shared_ptr<const Origin> items, keys, values;

  void join(const Origin& o);
  bool operator==(const Origin& o) const;
  bool empty() const { return !data && !nonstr && !computed && !loop && consts.empty() && !items && !keys && !values; }
  // Safe to use as an attribute or item key: never a string the template computed.
  bool key_safe() const { return !computed; }
};

class OriginAnalysis {
 public:
  OriginAnalysis(const Ast& ast, const Limits& limits);

  Origin of(NodeId expr) const;
  // Bound by the template anywhere (set, for, macro parameter, with, import, call-block
  // parameter); macro definitions do not count.
  bool rebound(const std::string& name) const { return bound_.count(name) != 0; }
  // An attribute name the template may store into a dict or namespace (`{'strip': x}`,
  // `namespace(items=x)`, `{% set ns.keys = x %}`): calling `.name()` may call that value.
  bool template_key(const std::string& name) const { return any_key_ || keys_.count(name) != 0; }

 private:
  struct Site {
    enum class Kind : std::uint8_t { expr, element, element_of_element, computed, loop, undefined };
    Kind kind;
    NodeId node = kNoNode;
  };
  void collect();
  void bind(const std::string& name, Site s);
  void bind_target(NodeId target, NodeId value, bool from_for);
  void bind_macro_call(const Node& macro, NodeId call);
  void record_key(NodeId key_expr);
  Origin compute(NodeId expr) const;
  Origin site_origin(const Site& s) const;
  Origin free_name(const std::string& name) const;
  Origin attribute(NodeId obj, const std::string& attr) const;
  Origin call(const Node& n) const;
  Origin filter(const Node& n) const;
  static Origin element(const Origin& o);

  const Ast& ast_;
  mutable Folder pure_;  // folds only what needs no variable
  std::unordered_map<std::string, std::vector<Site>> sites_;
  std::unordered_map<std::string, Origin> summary_;
  std::unordered_set<std::string> bound_;
  std::unordered_set<std::string> keys_;
  std::unordered_set<std::string> macros_;
  bool any_key_ = false;
};

}  // namespace modelgate::jinja
