#include "template/render_growth.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace modelgate::jinja {

namespace {
namespace growth {  // a namespace of its own: the unity build joins this file with analyse.cpp

constexpr RuleId kResource = "MG-TEMPLATE-RESOURCE";
constexpr unsigned kMaxWalkDepth = 512;  // the parser bounds nesting far below this
constexpr std::size_t kMaxMacros = 1000;

using Counts = std::map<std::string, double>;

void add(Counts& into, const Counts& from, double factor = 1) {
  for (const auto& [k, v] : from) into[k] = std::min(into[k] + v * factor, 1e9);
}

Counts max_of(const Counts& a, const Counts& b) {
  Counts out = a;
  for (const auto& [k, v] : b) out[k] = std::max(out[k], v);
  return out;
}

class MacroCalls {
 public:
  explicit MacroCalls(const Ast& ast) : ast_(ast) {
    for (NodeId id = 0; id < static_cast<NodeId>(ast.nodes.size()); ++id)
      if (ast.at(id).kind == NodeKind::macro && macros_.size() < kMaxMacros) macros_.emplace(ast.at(id).text, id);
  }

  std::vector<Issue> issues() {
    if (macros_.empty()) return {};
    std::map<std::string, Counts> growing;  // calls that do not hand down a part of the data
    std::map<std::string, std::set<std::string>> edges;
    for (const auto& [name, id] : macros_) {
      parts_.clear();
      params_.clear();
      for (NodeId p : ast_.at(ast_.at(id).kids[0]).kids) params_.insert(ast_.at(p).text);
      calls_.clear();
      growing[name] = walk(ast_.at(id).kids[1], 0);
      edges[name] = calls_;
    }
    std::vector<Issue> out;
    for (const auto& [name, id] : macros_) {
      double weight = 0;
      for (const auto& [callee, w] : growing[name])
        if (reaches(callee, name, edges)) weight += w;
      if (weight >= 2)
        out.push_back({kResource, ast_.at(id).offset,
                       "macro '" + name.substr(0, 80) + "' calls itself (directly or through other macros) " +
                           std::to_string(static_cast<long long>(std::min(weight, 1e9))) +
                           " times per call with arguments that are not parts of its own: the rendering work "
                           "multiplies with every level of recursion"});
    }
    return out;
  }

 private:
  bool reaches(const std::string& from, const std::string& to,
               const std::map<std::string, std::set<std::string>>& edges) const {
    std::set<std::string> seen{from};
    std::vector<std::string> todo{from};
    while (!todo.empty()) {
      std::string m = todo.back();
      todo.pop_back();
      if (m == to) return true;
      auto it = edges.find(m);
      if (it == edges.end()) continue;
      for (const auto& n : it->second)
        if (seen.insert(n).second) todo.push_back(n);
    }
    return false;
  }

  // The name an expression reads from, through attributes, items, calls and filters, and how many
  // attribute or item steps lie between (x.a.b: x, 2).
  std::pair<std::string, int> root_of(NodeId id) const {
    int steps = 0;
    for (unsigned guard = 0; id != kNoNode && guard < kMaxWalkDepth; ++guard) {
      const Node& n = ast_.at(id);
      if (n.kind == NodeKind::name) return {n.text, steps};
      if (n.kind == NodeKind::getattr || n.kind == NodeKind::getitem || n.kind == NodeKind::filter) ++steps;
      if (n.kind != NodeKind::getattr && n.kind != NodeKind::getitem && n.kind != NodeKind::call &&
          n.kind != NodeKind::filter)
        return {"", 0};
      id = n.kids.empty() ? kNoNode : n.kids[0];
    }
    return {"", 0};
  }

  bool from_data(const std::string& name) const { return params_.count(name) || parts_.count(name); }

  // An argument that is a part of the data the macro was given: an element, attribute, item or
  // filtered value of it, or a literal list or dict built of such parts and constants.
  bool descends(NodeId arg, unsigned depth = 0) const {
    if (arg == kNoNode || depth > 16) return false;
    if (ast_.at(arg).kind == NodeKind::keyword) arg = ast_.at(arg).kids[0];
    const Node& n = ast_.at(arg);
    if (n.kind == NodeKind::name) return parts_.count(n.text) != 0;
    if (n.kind == NodeKind::list || n.kind == NodeKind::tuple || n.kind == NodeKind::dict) {
      bool part = false;
      for (NodeId k : n.kids) {
        const NodeKind kind = ast_.at(k).kind;
        if (kind == NodeKind::string || kind == NodeKind::integer || kind == NodeKind::boolean || kind == NodeKind::none)
          continue;
        if (!descends(k, depth + 1)) return false;
        part = true;
      }
      return part;
    }
    auto [root, steps] = root_of(arg);
    return steps > 0 && from_data(root);
  }

  static double loop_count(const Ast& ast, NodeId iterable) {
    const Node& it = ast.at(iterable);
    if (it.kind == NodeKind::list || it.kind == NodeKind::tuple) return static_cast<double>(it.kids.size());
    if (it.kind != NodeKind::call || ast.at(it.kids[0]).kind != NodeKind::name || ast.at(it.kids[0]).text != "range")
      return 1;
    std::vector<double> args;
    for (std::size_t i = 1; i < it.kids.size(); ++i) {
      const Node& a = ast.at(it.kids[i]);
      if (a.kind != NodeKind::integer || !a.flag) return 1;
      args.push_back(static_cast<double>(a.ival));
    }
    double start = 0, stop = 0, step = 1;
    if (args.size() == 1) stop = args[0];
    else if (args.size() >= 2) start = args[0], stop = args[1];
    if (args.size() == 3) step = args[2];
    if (step == 0) return 1;
    return std::max(0.0, (stop - start) / step);
  }

  Counts walk(NodeId id, unsigned depth) {
    Counts out;
    if (id == kNoNode || depth > kMaxWalkDepth) return out;
    const Node& n = ast_.at(id);
    switch (n.kind) {
      case NodeKind::macro:
        return out;  // a macro defined here is a macro of its own
      case NodeKind::if_stmt:
      case NodeKind::cond_expr: {
        NodeId test = n.kind == NodeKind::if_stmt ? n.kids[0] : n.kids[1];
        NodeId a = n.kind == NodeKind::if_stmt ? n.kids[1] : n.kids[0];
        NodeId b = n.kids[2];
        out = walk(test, depth + 1);
        add(out, max_of(walk(a, depth + 1), walk(b, depth + 1)));
        return out;
      }
      case NodeKind::for_stmt: {
        out = walk(n.kids[1], depth + 1);
        std::set<std::string> saved = parts_;
        auto [root, steps] = root_of(n.kids[1]);
        (void)steps;
        if (from_data(root)) {
          const Node& t = ast_.at(n.kids[0]);
          if (t.kind == NodeKind::name) parts_.insert(t.text);
          for (NodeId k : t.kind == NodeKind::tuple ? t.kids : std::vector<NodeId>{})
            if (ast_.at(k).kind == NodeKind::name) parts_.insert(ast_.at(k).text);
        }
        add(out, walk(n.kids[2], depth + 1), loop_count(ast_, n.kids[1]));
        if (n.kids.size() > 4) add(out, walk(n.kids[4], depth + 1));
        parts_ = std::move(saved);
        add(out, walk(n.kids[3], depth + 1));
        return out;
      }
      case NodeKind::call: {
        const Node& callee = ast_.at(n.kids[0]);
        if (callee.kind == NodeKind::name && macros_.count(callee.text)) {
          calls_.insert(callee.text);
          bool all_descend = n.kids.size() > 1;
          for (std::size_t i = 1; i < n.kids.size(); ++i)
            if (!descends(n.kids[i])) all_descend = false;
          if (!all_descend) out[callee.text] += 1;
        }
        break;
      }
      default:
        break;
    }
    for (NodeId k : n.kids) add(out, walk(k, depth + 1));
    return out;
  }

  const Ast& ast_;
  std::map<std::string, NodeId> macros_;
  std::set<std::string> params_;
  std::set<std::string> parts_;
  std::set<std::string> calls_;
};

// "ns.attr" for a target or a read of a namespace attribute, "" otherwise.
std::string attribute_of(const Ast& ast, NodeId id) {
  const Node& n = ast.at(id);
  if (n.kind != NodeKind::getattr || n.kids.empty() || ast.at(n.kids[0]).kind != NodeKind::name) return "";
  return ast.at(n.kids[0]).text + "." + n.text;
}

// Every node below `root`, nested macro definitions excepted.
std::vector<NodeId> below(const Ast& ast, NodeId root) {
  std::vector<NodeId> out, todo{root};
  while (!todo.empty()) {
    NodeId id = todo.back();
    todo.pop_back();
    if (id == kNoNode) continue;
    out.push_back(id);
    if (ast.at(id).kind == NodeKind::macro && id != root) continue;
    for (NodeId k : ast.at(id).kids) todo.push_back(k);
  }
  return out;
}

std::vector<Issue> doubling_assignments(const Ast& ast) {
  // Namespace attributes that start as numbers: sums of them grow by addition only.
  std::unordered_set<std::string> numeric;
  for (const Node& n : ast.nodes) {
    if (n.kind != NodeKind::set_stmt || ast.at(n.kids[0]).kind != NodeKind::name) continue;
    const Node& v = ast.at(n.kids[1]);
    if (v.kind != NodeKind::call || ast.at(v.kids[0]).kind != NodeKind::name || ast.at(v.kids[0]).text != "namespace")
      continue;
    for (std::size_t i = 1; i < v.kids.size(); ++i) {
      const Node& kw = ast.at(v.kids[i]);
      if (kw.kind != NodeKind::keyword) continue;
      NodeKind k = ast.at(kw.kids[0]).kind;
      if (k == NodeKind::integer || k == NodeKind::floating || k == NodeKind::boolean)
        numeric.insert(ast.at(n.kids[0]).text + "." + kw.text);
    }
  }
  std::vector<Issue> out;
  std::set<std::uint32_t> reported;
  for (NodeId loop = 0; loop < static_cast<NodeId>(ast.nodes.size()); ++loop) {
    if (ast.at(loop).kind != NodeKind::for_stmt) continue;
    const std::vector<NodeId> body = below(ast, ast.at(loop).kids[2]);
    std::unordered_set<std::string> set_here;
    for (NodeId id : body) {
      const Node& n = ast.at(id);
      if (n.kind == NodeKind::set_stmt || n.kind == NodeKind::set_block)
        if (auto a = attribute_of(ast, n.kids[0]); !a.empty()) set_here.insert(a);
    }
    if (set_here.empty()) continue;
    for (NodeId id : body) {
      const Node& n = ast.at(id);
      if (n.kind != NodeKind::set_stmt && n.kind != NodeKind::set_block) continue;
      const std::string target = attribute_of(ast, n.kids[0]);
      if (target.empty() || numeric.count(target)) continue;
      std::size_t reads = 0;
      for (NodeId r : below(ast, n.kids[1])) {
        const std::string a = attribute_of(ast, r);
        if (!a.empty() && set_here.count(a) && !numeric.count(a)) ++reads;
      }
      if (reads >= 2 && reported.insert(n.offset).second)
        out.push_back({kResource, n.offset,
                       "'" + target.substr(0, 80) + "' is set inside a loop from " + std::to_string(reads) +
                           " reads of attributes the loop sets: its size can double on every pass"});
    }
  }
  return out;
}

}  // namespace growth
}  // namespace

std::vector<Issue> find_render_growth(const Ast& ast) {
  std::vector<Issue> out = growth::MacroCalls(ast).issues();
  for (auto& i : growth::doubling_assignments(ast)) out.push_back(std::move(i));
  return out;
}

}  // namespace modelgate::jinja
