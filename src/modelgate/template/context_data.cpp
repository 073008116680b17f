#include "template/context_data.h"

#include <map>
#include <unordered_map>

namespace modelgate::jinja {

namespace {
namespace context_data {  // a namespace of its own: the unity build joins this file with others

constexpr unsigned kMaxDepth = 256;

// Jinja's and transformers' globals, and the names Jinja binds itself: never context data.
bool is_global(const std::string& n) {
  static const std::unordered_set<std::string> k = {
      "range",  "dict",  "namespace", "lipsum", "cycler",          "joiner",       "loop", "caller",
      "varargs", "kwargs", "self",    "super",  "raise_exception", "strftime_now"};
  return k.count(n) != 0;
}

// The key of a namespace field's bindings: a dot never starts a variable.
std::string field(const std::string& attribute) { return "." + attribute; }

bool is_scalar_literal(NodeKind k) {
  return k == NodeKind::string || k == NodeKind::integer || k == NodeKind::floating || k == NodeKind::boolean ||
         k == NodeKind::none;
}

}  // namespace context_data
}  // namespace

ContextData::ContextData(const Ast& ast) : ast_(ast), scopes_(ast) {
  collect();
  // Greatest fixed point: a name loses its status when one of its bindings is not context data,
  // and then the bindings that mention it are judged again (a worklist: each binding is judged
  // once per name it mentions that loses its status).
  std::unordered_map<std::string, std::vector<std::size_t>> users;
  for (std::size_t i = 0; i < bindings_.size(); ++i) {
    std::vector<NodeId> todo{bindings_[i].value};
    while (!todo.empty()) {
      NodeId id = todo.back();
      todo.pop_back();
      if (id == kNoNode) continue;
      if (ast_.at(id).kind == NodeKind::name)
        for (const std::string& v : scopes_.read(id).variables) users[v].push_back(i);
      if (ast_.at(id).kind == NodeKind::getattr) users[context_data::field(ast_.at(id).text)].push_back(i);
      for (NodeId k : ast_.at(id).kids) todo.push_back(k);
    }
  }
  std::vector<std::string> lost(not_data_.begin(), not_data_.end());
  auto judge = [&](const Binding& b) {
    if (not_data_.count(b.name) || b.undefined) return;
    if (b.value != kNoNode && (b.argument ? argument(b.value) : expr(b.value))) return;
    not_data_.insert(b.name);
    lost.push_back(b.name);
  };
  for (const Binding& b : bindings_) judge(b);
  while (!lost.empty()) {
    const std::string n = std::move(lost.back());
    lost.pop_back();
    auto it = users.find(n);
    if (it == users.end()) continue;
    for (std::size_t i : it->second) judge(bindings_[i]);
  }
}

bool ContextData::name(NodeId read) const {
  const Scopes::Read& r = scopes_.read(read);
  for (const std::string& v : r.variables)
    if (not_data_.count(v)) return false;
  return !r.variables.empty() || !context_data::is_global(ast_.at(read).text);
}

bool ContextData::namespace_field(const Node& getattr) const {
  const Node& o = ast_.at(getattr.kids[0]);
  if (opaque_namespaces_ || o.kind != NodeKind::name) return false;
  const Scopes::Read& r = scopes_.read(getattr.kids[0]);
  if (r.variables.empty()) return false;
  for (const std::string& v : r.variables)
    if (!namespaces_.count(v)) return false;
  return true;
}

bool ContextData::binds_data(NodeId binding) const { return !not_data_.count(scopes_.variable(binding)); }

bool ContextData::expr(NodeId e) const {
  for (unsigned guard = 0; e != kNoNode && guard < context_data::kMaxDepth; ++guard) {
    const Node& n = ast_.at(e);
    if (context_data::is_scalar_literal(n.kind)) return true;
    switch (n.kind) {
      case NodeKind::name:
        return name(e);
      case NodeKind::getattr:
        if (namespace_field(n)) return !not_data_.count(context_data::field(n.text));
        e = n.kids[0];
        continue;
      case NodeKind::getitem:
        e = n.kids[0];
        continue;
      case NodeKind::filter:
        for (std::size_t i = 1; i < n.kids.size(); ++i)
          if (!expr(n.kids[i])) return false;
        e = n.kids[0];
        continue;
      case NodeKind::call: {
        // range() of such arguments holds integers, nothing to descend into.
        const Node& callee = ast_.at(n.kids[0]);
        if (callee.kind == NodeKind::name && callee.text == "range" && !bound_.count("range")) {
          for (std::size_t i = 1; i < n.kids.size(); ++i)
            if (!expr(n.kids[i])) return false;
          return true;
        }
        // A method of context data (x.get('a'), x.items()) with such arguments; no other call.
        if (ast_.at(n.kids[0]).kind != NodeKind::getattr) return false;
        for (std::size_t i = 1; i < n.kids.size(); ++i)
          if (!expr(n.kids[i])) return false;
        e = ast_.at(n.kids[0]).kids[0];
        continue;
      }
      case NodeKind::keyword:
        e = n.kids[0];
        continue;
      case NodeKind::cond_expr:
        if (n.kids[2] != kNoNode && !expr(n.kids[2])) return false;
        e = n.kids[0];
        continue;
      case NodeKind::binary:
        if (n.text == "and" || n.text == "or") {  // one of the operands
          if (!expr(n.kids[0])) return false;
          e = n.kids[1];
          continue;
        }
        // Comparisons and `in` give booleans, arithmetic numbers; `+` and `*` may build lists.
        return n.text != "+" && n.text != "*";
      case NodeKind::unary:
      case NodeKind::test:
      case NodeKind::concat:
        return true;  // booleans, numbers, strings
      case NodeKind::list:
      case NodeKind::tuple:
      case NodeKind::dict:
        // A literal of scalars (`default([])`) holds nothing to descend into; one of other values
        // is a structure the template built.
        for (NodeId k : n.kids)
          if (!context_data::is_scalar_literal(ast_.at(k).kind)) return false;
        return true;
      default:
        return false;
    }
  }
  return false;
}

bool ContextData::argument(NodeId e) const {
  if (e == kNoNode) return false;
  if (ast_.at(e).kind == NodeKind::keyword) e = ast_.at(e).kids[0];
  const Node& n = ast_.at(e);
  if (n.kind != NodeKind::list && n.kind != NodeKind::tuple && n.kind != NodeKind::dict) return expr(e);
  for (NodeId k : n.kids)
    if (!expr(k)) return false;
  return true;
}

void ContextData::bind_target(NodeId target, NodeId value) {
  if (target == kNoNode) return;
  const Node& t = ast_.at(target);
  if (t.kind == NodeKind::name) {
    bound_.insert(t.text);
    bindings_.push_back({scopes_.variable(target), value, false, false});
  } else if (t.kind == NodeKind::tuple || t.kind == NodeKind::list) {
    for (NodeId k : t.kids) bind_target(k, value);  // an element of the value: data when it is
  }
}

void ContextData::bind_calls_to(const Node& macro, const std::vector<NodeId>& calls, bool escapes) {
  const Node& params = ast_.at(macro.kids[0]);
  for (std::size_t i = 0; i < params.kids.size(); ++i) {
    const Node& p = ast_.at(params.kids[i]);
    const std::string var = scopes_.variable(params.kids[i]);
    bound_.insert(p.text);
    if (escapes) {
      not_data_.insert(var);  // called where we cannot see the arguments
      continue;
    }
    if (p.kind == NodeKind::keyword) bindings_.push_back({var, p.kids[0], true, false});
    for (NodeId c : calls) {
      const Node& call = ast_.at(c);
      NodeId given = kNoNode;
      std::size_t positional = 0;
      bool star = false;
      for (std::size_t a = 1; a < call.kids.size(); ++a) {
        const Node& arg = ast_.at(call.kids[a]);
        if (arg.kind == NodeKind::star_arg || arg.kind == NodeKind::dstar_arg) star = true;
        else if (arg.kind == NodeKind::keyword) {
          if (arg.text == p.text) given = arg.kids[0];
        } else if (positional++ == i) {
          given = call.kids[a];
        }
      }
      if (star) bindings_.push_back({var, kNoNode, false, false});
      else if (given != kNoNode) bindings_.push_back({var, given, true, false});
      else if (p.kind != NodeKind::keyword) bindings_.push_back({var, kNoNode, false, true});
    }
  }
}

void ContextData::collect() {
  std::map<std::string, std::vector<NodeId>> macros, calls;
  std::unordered_set<NodeId> callees;
  for (NodeId id = 0; id < static_cast<NodeId>(ast_.nodes.size()); ++id) {
    const Node& n = ast_.at(id);
    switch (n.kind) {
      case NodeKind::set_stmt:
        bind_target(n.kids[0], n.kids[1]);
        if (ast_.at(n.kids[0]).kind == NodeKind::getattr)
          bindings_.push_back({context_data::field(ast_.at(n.kids[0]).text), n.kids[1], false, false});
        break;
      case NodeKind::for_stmt:
        bind_target(n.kids[0], n.kids[1]);
        break;
      case NodeKind::set_block:
      case NodeKind::call_block:
        bind_target(n.kind == NodeKind::set_block ? n.kids[0] : kNoNode, kNoNode);
        if (n.kind == NodeKind::set_block && ast_.at(n.kids[0]).kind == NodeKind::getattr)
          bindings_.push_back({context_data::field(ast_.at(n.kids[0]).text), kNoNode, false, false});
        if (n.kind == NodeKind::call_block)
          for (NodeId p : ast_.at(n.kids[1]).kids) {
            bound_.insert(ast_.at(p).text);
            not_data_.insert(scopes_.variable(p));
          }
        break;
      case NodeKind::import_stmt:
        bound_.insert(n.text);
        not_data_.insert(scopes_.variable(id));
        break;
      case NodeKind::from_import:
        for (std::size_t i = 1; i < n.kids.size(); ++i) {
          const Node& k = ast_.at(n.kids[i]);
          bound_.insert(k.text);
          not_data_.insert(scopes_.variable(n.kids[i]));
          if (k.kind == NodeKind::keyword && ast_.at(k.kids[0]).kind == NodeKind::name) {
            bound_.insert(ast_.at(k.kids[0]).text);
            not_data_.insert(scopes_.variable(k.kids[0]));
          }
        }
        break;
      case NodeKind::macro:
        macros[n.text].push_back(id);
        bound_.insert(n.text);
        not_data_.insert(scopes_.variable(id));
        break;
      case NodeKind::call:
        if (is_namespace_call(id))
          for (std::size_t i = 1; i < n.kids.size(); ++i) {
            const Node& kw = ast_.at(n.kids[i]);
            if (kw.kind == NodeKind::keyword)
              bindings_.push_back({context_data::field(kw.text), kw.kids[0], false, false});
            else
              opaque_namespaces_ = true;  // namespace(d), namespace(**d): fields we cannot see
          }
        callees.insert(n.kids[0]);
        if (ast_.at(n.kids[0]).kind == NodeKind::name) calls[ast_.at(n.kids[0]).text].push_back(id);
        break;
      default:
        break;
    }
  }
  // A macro whose name is read other than to call it (an alias, an argument, a namespace field)
  // is called where its arguments are not seen.
  std::unordered_set<std::string> escaping;
  for (NodeId id = 0; id < static_cast<NodeId>(ast_.nodes.size()); ++id)
    if (ast_.at(id).kind == NodeKind::name && !callees.count(id) && macros.count(ast_.at(id).text))
      escaping.insert(ast_.at(id).text);
  for (const auto& [name, defs] : macros)
    for (NodeId m : defs) bind_calls_to(ast_.at(m), calls[name], escaping.count(name) != 0);
  // Variables every binding of which makes a namespace: their fields are judged by the fields'
  // own bindings (every `set x.field` and namespace(field=...) anywhere).
  if (bound_.count("namespace")) opaque_namespaces_ = true;
  std::unordered_map<std::string, bool> only;
  for (const Binding& b : bindings_) {
    if (b.name.empty() || b.name[0] == '.') continue;
    const bool ns = b.value != kNoNode && !b.argument && is_namespace_call(b.value);
    auto [it, fresh] = only.emplace(b.name, ns);
    if (!fresh) it->second = it->second && ns;
  }
  for (const auto& [v, ns] : only)
    if (ns) namespaces_.insert(v);
}

bool ContextData::is_namespace_call(NodeId id) const {
  const Node& n = ast_.at(id);
  return n.kind == NodeKind::call && ast_.at(n.kids[0]).kind == NodeKind::name &&
         ast_.at(n.kids[0]).text == "namespace";
}

}  // namespace modelgate::jinja
