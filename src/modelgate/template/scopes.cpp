#include "template/scopes.h"

namespace modelgate::jinja {

namespace {
namespace scopes {  // a namespace of its own: the unity build joins this file with others

constexpr unsigned kMaxDepth = 512;  // the parser bounds nesting far below this

}  // namespace scopes
}  // namespace

Scopes::Scopes(const Ast& ast) : ast_(ast) {
  scopes_.push_back({});
  walk(ast_.root, 0, 0);
  for (const auto& [id, at] : reads_at_) {
    Read r;
    const std::string& n = ast_.at(id).text;
    for (int s = at; s >= 0; s = scopes_[static_cast<std::size_t>(s)].parent) {
      const auto& binds = scopes_[static_cast<std::size_t>(s)].binds;
      auto it = binds.find(n);
      if (it == binds.end()) continue;
      r.variables.push_back(key(n, s));
      if (it->second) {
        r.open = false;
        break;
      }
    }
    reads_[id] = std::move(r);
  }
  for (const auto& [id, v] : variables_)
    if (ast_.at(id).kind == NodeKind::name) reads_[id] = Read{{v}, false};
}

std::string Scopes::variable(NodeId binding) const {
  auto it = variables_.find(binding);
  return it != variables_.end() ? it->second : ast_.at(binding).text;
}

const Scopes::Read& Scopes::read(NodeId name) const {
  auto it = reads_.find(name);
  return it != reads_.end() ? it->second : unknown_;
}

int Scopes::open_scope(int parent) {
  scopes_.push_back({parent, {}});
  return static_cast<int>(scopes_.size() - 1);
}

std::string Scopes::key(const std::string& spelling, int scope) const {
  return scope == 0 ? spelling : spelling + "@" + std::to_string(scope);
}

void Scopes::bind(NodeId binding, const std::string& spelling, int scope, bool definitive) {
  variables_[binding] = key(spelling, scope);
  bool& d = scopes_[static_cast<std::size_t>(scope)].binds[spelling];
  d = d || definitive;
}

void Scopes::target(NodeId id, int scope, bool definitive, unsigned depth) {
  if (id == kNoNode || depth > scopes::kMaxDepth) return;
  const Node& t = ast_.at(id);
  if (t.kind == NodeKind::name) {
    bind(id, t.text, scope, definitive);
  } else if (t.kind == NodeKind::tuple || t.kind == NodeKind::list) {
    for (NodeId k : t.kids) target(k, scope, definitive, depth + 1);
  } else {
    walk(id, scope, depth + 1);  // ns.x = ...: ns is read
  }
}

void Scopes::walk(NodeId id, int scope, unsigned depth) {
  if (id == kNoNode || depth > scopes::kMaxDepth) return;
  const Node& n = ast_.at(id);
  // A macro's or call block's parameters, bound in its own scope; defaults are evaluated there.
  auto parameters = [&](NodeId params, int inner) {
    for (NodeId p : ast_.at(params).kids) {
      bind(p, ast_.at(p).text, inner, true);
      if (ast_.at(p).kind == NodeKind::keyword) walk(ast_.at(p).kids[0], inner, depth + 1);
    }
  };
  switch (n.kind) {
    case NodeKind::name:
      reads_at_[id] = scope;
      return;
    case NodeKind::set_stmt:
    case NodeKind::set_block:
      target(n.kids[0], scope, false, depth + 1);
      for (std::size_t i = 1; i < n.kids.size(); ++i) walk(n.kids[i], scope, depth + 1);
      return;
    case NodeKind::for_stmt: {
      walk(n.kids[1], scope, depth + 1);
      const int inner = open_scope(scope);
      target(n.kids[0], inner, true, depth + 1);
      walk(n.kids[2], inner, depth + 1);
      walk(n.kids[4], inner, depth + 1);
      walk(n.kids[3], scope, depth + 1);
      return;
    }
    case NodeKind::macro: {
      bind(id, n.text, scope, false);
      const int inner = open_scope(scope);
      parameters(n.kids[0], inner);
      walk(n.kids[1], inner, depth + 1);
      return;
    }
    case NodeKind::call_block: {
      walk(n.kids[0], scope, depth + 1);
      const int inner = open_scope(scope);
      parameters(n.kids[1], inner);
      walk(n.kids[2], inner, depth + 1);
      return;
    }
    case NodeKind::with_stmt: {
      // The values are evaluated outside: `{% with a = a %}` reads the outer a.
      const int inner = open_scope(scope);
      for (NodeId s : ast_.at(n.kids[0]).kids) {
        walk(ast_.at(s).kids[1], scope, depth + 1);
        target(ast_.at(s).kids[0], inner, true, depth + 1);
      }
      walk(n.kids[1], inner, depth + 1);
      return;
    }
    case NodeKind::import_stmt:
      bind(id, n.text, scope, false);
      walk(n.kids[0], scope, depth + 1);
      return;
    case NodeKind::from_import:
      walk(n.kids[0], scope, depth + 1);
      for (std::size_t i = 1; i < n.kids.size(); ++i) {
        const Node& k = ast_.at(n.kids[i]);
        bind(n.kids[i], k.text, scope, false);
        if (k.kind == NodeKind::keyword && ast_.at(k.kids[0]).kind == NodeKind::name)
          bind(k.kids[0], ast_.at(k.kids[0]).text, scope, false);
      }
      return;
    default:
      for (NodeId k : n.kids) walk(k, scope, depth + 1);
      return;
  }
}

}  // namespace modelgate::jinja
