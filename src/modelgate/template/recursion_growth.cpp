#include "template/recursion_growth.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_set>

#include "template/iterations.h"

namespace modelgate::jinja {

namespace {
namespace recursion_growth {  // a namespace of its own: the unity build joins this file with others

constexpr RuleId kResource = "MG-TEMPLATE-RESOURCE";
constexpr unsigned kMaxWalkDepth = 512;  // the parser bounds nesting far below this
constexpr std::size_t kMaxUnits = 2000;
constexpr double kCap = 1e12;

using Counts = std::map<std::string, double>;  // unit -> runs started per run of the caller

struct Calls {
  Counts growing;     // runs with an argument that is not a strict part of context data
  Counts descending;  // runs that walk into context data
  void add(const Calls& o, double factor = 1) {
    for (const auto& [k, v] : o.growing) growing[k] = std::min(growing[k] + v * factor, kCap);
    for (const auto& [k, v] : o.descending) descending[k] = std::min(descending[k] + v * factor, kCap);
  }
  static Calls max_of(const Calls& a, const Calls& b) {
    Calls out = a;
    for (const auto& [k, v] : b.growing) out.growing[k] = std::max(out.growing[k], v);
    for (const auto& [k, v] : b.descending) out.descending[k] = std::max(out.descending[k], v);
    return out;
  }
};

struct Unit {
  std::string what;  // for the message
  std::uint32_t offset = 0;
  Calls calls;
  std::set<std::string> edges;  // every unit a run may start, counted or not
  std::set<std::string> grows_into;  // units handed a value grown from what this run was given
  bool sets_namespace = false;
  std::set<std::string> own_namespaces;  // names a run binds to a namespace() it makes itself
};

enum Strength : int { none = 0, weak = 1, strong = 2 };  // see Recursion::descends

struct Scope {
  // What a run was given: the macro's parameters that hold context data, a recursive loop's
  // target. A descent is measured from these, never from other data (f(messages[0].content, n - 1)
  // hands down the same value on every level).
  std::set<std::string> roots;
  std::map<std::string, Strength> parts;  // names bound to parts of the roots
  std::set<std::string> given;  // every parameter (or loop target, call-block parameter)
  std::string loop;  // the unit `loop(...)` runs: the innermost loop, when recursive
};

bool one_of(const std::string& s, std::initializer_list<const char*> list) {
  for (const char* x : list)
    if (s == x) return true;
  return false;
}

class Recursion {
 public:
  Recursion(const Ast& ast, const ContextData& data) : ast_(ast), data_(data) {}

  std::vector<Issue> issues() {
    collect();
    if (macros_.size() + call_blocks_.size() + loops_.size() > kMaxUnits)
      return {{kResource, 0, "more macros, call blocks and recursive loops than modelgate analyses for recursion"}};
    if (macros_.empty() && loops_.empty()) return {};
    // The template itself, then every unit found on the way (macros start with an empty scope).
    for (const auto& [name, defs] : macros_)
      for (NodeId m : defs) {
        Scope scope;
        for (NodeId p : ast_.at(ast_.at(m).kids[0]).kids) {
          scope.given.insert(ast_.at(p).text);
          if (data_.binds_data(p)) scope.roots.insert(ast_.at(p).text);
        }
        pending_.push_back({"m:" + name, m, std::move(scope)});
      }
    run_unit("", ast_.root, Scope{});
    while (!pending_.empty()) {
      auto [id, body, scope] = pending_.front();
      pending_.pop_front();
      run_unit(id, body, scope);
    }
    return judge();
  }

 private:
  // A walk of a part that may not run (a branch, a loop body): a namespace made there is the
  // run's own only inside it, and a name rebound there is no longer known to be one after it.
  Calls branch(NodeId id, unsigned depth) {
    if (cur_.empty()) return walk(id, depth);
    const std::set<std::string> before = units_[cur_].own_namespaces;
    Calls c = walk(id, depth);
    std::set<std::string>& own = units_[cur_].own_namespaces;
    std::set<std::string> kept;
    for (const std::string& name : before)
      if (own.count(name)) kept.insert(name);
    own = std::move(kept);
    return c;
  }
  bool makes_namespace(NodeId value) const {
    const Node& v = ast_.at(value);
    return v.kind == NodeKind::call && !v.kids.empty() && ast_.at(v.kids[0]).kind == NodeKind::name &&
           ast_.at(v.kids[0]).text == "namespace";
  }
  struct Pending {
    std::string id;
    NodeId body;  // a macro node, or the body of a call block or loop
    Scope scope;
  };

  void collect() {
    std::unordered_set<NodeId> callees, attribute_objects;
    for (NodeId id = 0; id < static_cast<NodeId>(ast_.nodes.size()); ++id) {
      const Node& n = ast_.at(id);
      if (n.kind == NodeKind::macro) {
        macros_[n.text].push_back(id);
        auto& params = params_of_["m:" + n.text];
        params.clear();  // several definitions: the last one's names (others are compared by place too)
        for (NodeId p : ast_.at(n.kids[0]).kids) params.push_back(ast_.at(p).text);
        units_["m:" + n.text].what = "macro '" + n.text.substr(0, 80) + "'";
        units_["m:" + n.text].offset = n.offset;
      } else if (n.kind == NodeKind::call_block) {
        call_blocks_.push_back("c:" + std::to_string(id));
        units_[call_blocks_.back()] = {"the body of a call block (run by caller())", n.offset, {}, {}, {}, false, {}};
      } else if (n.kind == NodeKind::for_stmt && n.flag) {
        loops_.push_back("l:" + std::to_string(id));
        units_[loops_.back()] = {"a recursive loop (run again by loop())", n.offset, {}, {}, {}, false, {}};
      } else if (n.kind == NodeKind::call) {
        callees.insert(n.kids[0]);
      } else if (n.kind == NodeKind::set_stmt || n.kind == NodeKind::set_block || n.kind == NodeKind::for_stmt) {
        const Node& target = ast_.at(n.kids[0]);
        if (target.kind == NodeKind::name) rebound_.insert(target.text);
        for (NodeId t : target.kind == NodeKind::tuple ? target.kids : std::vector<NodeId>{})
          if (ast_.at(t).kind == NodeKind::name) rebound_.insert(ast_.at(t).text);
      } else if (n.kind == NodeKind::getattr) {
        attribute_objects.insert(n.kids[0]);
      }
    }
    // Units reachable through a value rather than by name: a macro used as a value (an alias, an
    // argument, a namespace field), `caller` or `loop` handed on. A call of anything the template
    // does not name directly may run any of them.
    for (NodeId id = 0; id < static_cast<NodeId>(ast_.nodes.size()); ++id) {
      const Node& n = ast_.at(id);
      if (n.kind != NodeKind::name || callees.count(id)) continue;
      if (macros_.count(n.text)) escaped_.insert("m:" + n.text);
      if (n.text == "caller") escaped_.insert(call_blocks_.begin(), call_blocks_.end());
      if (n.text == "loop" && !attribute_objects.count(id)) escaped_.insert(loops_.begin(), loops_.end());
    }
    // One node stands for "any of them", so that a call adds one edge, not one per unit.
    units_["*caller"].edges.insert(call_blocks_.begin(), call_blocks_.end());
    units_["*escaped"].edges = escaped_;
  }

  void run_unit(const std::string& id, NodeId body, Scope scope) {
    cur_ = id;
    scope_ = std::move(scope);
    Calls c;
    if (ast_.at(body).kind == NodeKind::macro) {  // defaults are evaluated in each run too
      c = walk(ast_.at(body).kids[0], 0);
      c.add(walk(ast_.at(body).kids[1], 0));
    } else {
      c = walk(body, 0);
    }
    if (id.empty()) return;
    Unit& u = units_[id];
    // Several definitions of one macro: one of them runs.
    u.calls = id[0] == 'm' ? Calls::max_of(u.calls, c) : c;
  }

  // How surely an argument is a strict part of the data its caller was given.
  //  - strong: through an attribute, a string key, get(), items()/|items/|dictsort: a value nested
  //    in a mapping, or (on a string, a list, an undefined value) undefined or a method, whose next
  //    such step fails: however the other arguments change, the recursion ends with the data;
  //  - weak: an integer item, first/last, an element of a loop over the data, a literal list or
  //    dict of such parts and constants: deeper in a list or dict, but a one-character string is
  //    its own first item and element, and {'type': x.type} is as deep as x. It ends the recursion
  //    only when no other argument can change (else f(s[0], n - 1) runs as long as n says).
  Strength descends(NodeId arg, unsigned depth = 0) const {
    if (arg == kNoNode || depth > 16) return none;
    if (ast_.at(arg).kind == NodeKind::keyword) arg = ast_.at(arg).kids[0];
    const Node& a = ast_.at(arg);
    if (a.kind == NodeKind::name) {
      auto it = scope_.parts.find(a.text);
      return it == scope_.parts.end() ? none : it->second;
    }
    if (a.kind == NodeKind::list || a.kind == NodeKind::tuple || a.kind == NodeKind::dict) {
      bool part = false;
      for (NodeId k : a.kids) {
        const NodeKind kind = ast_.at(k).kind;
        if (kind == NodeKind::string || kind == NodeKind::integer || kind == NodeKind::boolean || kind == NodeKind::none)
          continue;
        if (descends(k, depth + 1) == none) return none;
        part = true;
      }
      return part ? weak : none;
    }
    return data_path(arg, true);
  }

  // A call whose run ends with the data: one argument a strong part, or one a weak part and every
  // other one the caller's own parameter unchanged in its own place (f(x[0], required)) or a
  // constant. A parameter handed to another place (f(n, x[0])) is not unchanged.
  bool descending_call(const Node& call, const std::vector<std::string>& to) const {
    bool part = false, others_fixed = true;
    std::size_t positional = 0;
    for (std::size_t i = 1; i < call.kids.size(); ++i) {
      const Node& a = ast_.at(call.kids[i]);
      const bool keyword = a.kind == NodeKind::keyword;
      const std::size_t place = keyword ? 0 : positional++;
      if (a.kind == NodeKind::star_arg || a.kind == NodeKind::dstar_arg) return false;
      const Strength s = descends(call.kids[i]);
      if (s == strong) return true;
      if (s == weak) {
        part = true;
        continue;
      }
      if (!unchanged(keyword ? ast_.at(a.kids[0]) : a, keyword ? a.text : "", place, to)) others_fixed = false;
    }
    return part && others_fixed;
  }

  bool unchanged(const Node& v, const std::string& keyword, std::size_t place,
                 const std::vector<std::string>& to) const {
    if (v.kind == NodeKind::string || v.kind == NodeKind::integer || v.kind == NodeKind::boolean ||
        v.kind == NodeKind::none || v.kind == NodeKind::floating)
      return true;
    if (v.kind != NodeKind::name || rebound_.count(v.text) || !params_of_.count(cur_)) return false;
    const std::vector<std::string>& mine = params_of_.at(cur_);
    if (std::find(mine.begin(), mine.end(), v.text) == mine.end()) return false;
    // The same name in the same place of every unit the call may run.
    for (const std::string& t : to) {
      auto it = params_of_.find(t);
      if (it == params_of_.end()) return false;
      const std::string& theirs = !keyword.empty() ? keyword : (place < it->second.size() ? it->second[place] : "");
      if (theirs != v.text) return false;
    }
    return true;
  }

  // Elements of the iterable are parts of context data (none when they are not).
  Strength iterates_data(NodeId iterable) const {
    const Strength s = data_path(iterable, false);
    return s == none ? none : std::max(s, weak);
  }

  // A path from a root (or a part of one) through attribute, item and selection steps: the
  // strength of the strongest step. With `strict` (a value passed on whole, not iterated), at
  // least one step must go into the data and slices are refused.
  Strength data_path(NodeId id, bool strict) const {
    int steps = 0;
    Strength s = none;
    auto step = [&](Strength k) {
      ++steps;
      s = std::max(s, k);
    };
    for (unsigned guard = 0; id != kNoNode && guard < kMaxWalkDepth; ++guard) {
      const Node& n = ast_.at(id);
      switch (n.kind) {
        case NodeKind::name: {
          auto part = scope_.parts.find(n.text);
          if (part != scope_.parts.end()) return std::max({s, part->second, weak});
          if (!scope_.roots.count(n.text) || (strict && steps == 0)) return none;
          return std::max(s, weak);
        }
        case NodeKind::getattr:
          step(strong);
          id = n.kids[0];
          continue;
        case NodeKind::getitem:
          if (ast_.at(n.kids[1]).kind == NodeKind::slice) {
            if (strict) return none;
            id = n.kids[0];  // the elements of a slice are elements of the value
            continue;
          }
          step(ast_.at(n.kids[1]).kind == NodeKind::string ? strong : weak);
          id = n.kids[0];
          continue;
        case NodeKind::filter:
          if (one_of(n.text, {"items", "dictsort"})) step(strong);
          else if (one_of(n.text, {"first", "last"})) step(weak);
          else if (!one_of(n.text, {"list", "selectattr", "rejectattr", "select", "reject", "sort", "unique", "reverse"}))
            return none;
          id = n.kids[0];
          continue;
        case NodeKind::call: {
          const Node& callee = ast_.at(n.kids[0]);
          if (callee.kind != NodeKind::getattr || !one_of(callee.text, {"get", "items", "values", "keys"})) return none;
          step(strong);
          id = callee.kids[0];
          continue;
        }
        case NodeKind::binary:
        case NodeKind::cond_expr: {
          // Either of two paths (x.oneOf or x.anyOf, a if c else b): the weaker of the two.
          NodeId a = n.kids[0], b = n.kind == NodeKind::binary ? n.kids[1] : n.kids[2];
          if ((n.kind == NodeKind::binary && n.text != "or" && n.text != "and") || b == kNoNode) return none;
          const Strength sub = std::min(data_path(a, strict && steps == 0), data_path(b, strict && steps == 0));
          return sub == none ? none : std::max(s, sub);
        }
        default:
          return none;
      }
    }
    return none;
  }

  // An argument built from what the run was given twice (s ~ s, [s, s]) or once through an
  // operation that can lengthen it (s * 2, s|replace(...), a macro): handed down a recursion it
  // doubles with every level, in memory, although the number of runs may stay small.
  // A part of a given value can be nearly all of it: two reads of one part (x.a ~ x.a), or of a
  // value and its part, double it as well; different parts (x.name ~ x.type) do not.
  struct Size {
    std::vector<std::string> reads;  // paths read: "x", "x.a", "x[0]", "x[?]"
    bool grown = false;
  };
  std::string path_of(NodeId id, unsigned depth = 0) const {
    if (id == kNoNode || depth > 64) return "";
    const Node& n = ast_.at(id);
    if (n.kind == NodeKind::name) return scope_.given.count(n.text) ? n.text : "";
    if (n.kind == NodeKind::getattr) {
      std::string o = path_of(n.kids[0], depth + 1);
      return o.empty() ? "" : o + "." + n.text;
    }
    if (n.kind == NodeKind::getitem) {
      std::string o = path_of(n.kids[0], depth + 1);
      const Node& k = ast_.at(n.kids[1]);
      if (o.empty() || k.kind == NodeKind::slice) return o;
      if (k.kind == NodeKind::string) return o + "." + k.text;
      if (k.kind == NodeKind::integer) return o + "[" + k.text + "]";
      return o + "[?]";
    }
    return "";
  }
  Size size_of(NodeId id, unsigned depth) const {
    Size r;
    if (id == kNoNode || depth > kMaxWalkDepth) return r;
    const Node& n = ast_.at(id);
    auto join = [](Size& t, const Size& k) {
      if (t.reads.size() < 1000) t.reads.insert(t.reads.end(), k.reads.begin(), k.reads.end());
      t.grown = t.grown || k.grown;
    };
    auto sum = [&](std::size_t from) {
      Size t;
      for (std::size_t i = from; i < n.kids.size(); ++i) join(t, size_of(n.kids[i], depth + 1));
      return t;
    };
    auto lengthened = [](Size t) {
      t.grown = t.grown || !t.reads.empty();
      return t;
    };
    switch (n.kind) {
      case NodeKind::name:
      case NodeKind::getattr:
      case NodeKind::getitem: {
        std::string p = path_of(id);
        if (!p.empty()) r.reads.push_back(std::move(p));
        return r;
      }
      case NodeKind::test:
      case NodeKind::macro:
        return r;  // a boolean, a definition
      case NodeKind::unary:
        return n.text == "not" ? r : sum(0);
      case NodeKind::binary:
        if (one_of(n.text, {"==", "!=", "<", "<=", ">", ">=", "in", "not in"})) return r;
        if (one_of(n.text, {"+", "-", "and", "or"})) return sum(0);
        return lengthened(sum(0));
      case NodeKind::cond_expr: {
        Size a = size_of(n.kids[0], depth + 1), b = size_of(n.kids[2], depth + 1);
        if (b.reads.size() > a.reads.size()) std::swap(a, b);
        a.grown = a.grown || b.grown;
        return a;
      }
      case NodeKind::filter: {
        Size args = sum(1);
        if (args.reads.empty() && one_of(n.text, {"trim", "lower", "upper", "title", "capitalize", "first", "last", "length",
                                                "count", "default", "d", "list", "select", "reject", "selectattr",
                                                "rejectattr", "sort", "unique", "reverse", "truncate", "int", "float",
                                                "abs", "round", "items", "dictsort", "wordcount", "striptags"}))
          return size_of(n.kids[0], depth + 1);
        Size op = size_of(n.kids[0], depth + 1);
        join(op, args);
        return lengthened(op);
      }
      case NodeKind::call: {
        const Node& callee = ast_.at(n.kids[0]);
        Size args = sum(1);
        if (callee.kind == NodeKind::getattr) {
          Size object = size_of(callee.kids[0], depth + 1);
          if (args.reads.empty() && one_of(callee.text, {"strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize",
                                                      "get", "items", "values", "keys", "split", "rsplit", "splitlines",
                                                      "startswith", "endswith", "find", "rfind", "count", "partition",
                                                      "rpartition", "removeprefix", "removesuffix"}))
            return object;
          join(args, object);
        }
        return lengthened(args);
      }
      case NodeKind::concat:
      case NodeKind::list:
      case NodeKind::tuple:
      case NodeKind::dict:
      case NodeKind::keyword:
      case NodeKind::star_arg:
      case NodeKind::dstar_arg:
        return sum(0);
      default:
        return lengthened(sum(0));
    }
  }
  bool grows(NodeId arg) const {
    const Size s = size_of(arg, 0);
    if (s.grown) return true;
    // The same path twice, or a value with its own part (sorted: a path's parts follow it).
    std::set<std::string> seen;
    for (const auto& p : s.reads)
      if (!seen.insert(p).second) return true;
    for (const auto& p : seen)
      for (const char* sep : {".", "["}) {
        auto it = seen.lower_bound(p + sep);
        if (it != seen.end() && it->compare(0, p.size() + 1, p + sep) == 0) return true;
      }
    return false;
  }

  // Units a call may run.
  std::vector<std::string> targets(const Node& call) const {
    const Node& callee = ast_.at(call.kids[0]);
    if (callee.kind == NodeKind::name) {
      if (macros_.count(callee.text)) return {"m:" + callee.text};
      if (callee.text == "caller") return call_blocks_.empty() ? std::vector<std::string>{} : std::vector<std::string>{"*caller"};
      if (callee.text == "loop") return scope_.loop.empty() ? std::vector<std::string>{} : std::vector{scope_.loop};
      if (!data_.bound(callee.text) && one_of(callee.text, {"range", "dict", "namespace", "raise_exception", "strftime_now",
                                                           "lipsum", "cycler", "joiner", "super"}))
        return {};
    }
    return escaped_.empty() ? std::vector<std::string>{} : std::vector<std::string>{"*escaped"};
  }

  Calls walk(NodeId id, unsigned depth) {
    Calls out;
    if (id == kNoNode || depth > kMaxWalkDepth) return out;
    const Node& n = ast_.at(id);
    switch (n.kind) {
      case NodeKind::macro:
        return out;  // a unit of its own
      case NodeKind::call_block: {
        out = walk(n.kids[0], depth + 1);  // the call itself
        Scope inner;  // given what caller() passes
        for (NodeId p : ast_.at(n.kids[1]).kids) inner.given.insert(ast_.at(p).text);
        pending_.push_back({"c:" + std::to_string(id), n.kids[2], std::move(inner)});
        return out;
      }
      case NodeKind::if_stmt:
      case NodeKind::cond_expr: {
        NodeId test = n.kind == NodeKind::if_stmt ? n.kids[0] : n.kids[1];
        NodeId a = n.kind == NodeKind::if_stmt ? n.kids[1] : n.kids[0];
        out = walk(test, depth + 1);
        Calls first = branch(a, depth + 1);
        out.add(Calls::max_of(std::move(first), branch(n.kids[2], depth + 1)));
        return out;
      }
      case NodeKind::set_stmt:
      case NodeKind::set_block: {
        // A namespace a run makes for itself is fresh on every run: its attributes cannot count
        // levels. One from outside the run (a parameter, the template's) can.
        const Node& target = ast_.at(n.kids[0]);
        if (cur_.empty()) break;
        Unit& unit = units_[cur_];
        if (target.kind == NodeKind::name && n.kind == NodeKind::set_stmt && n.kids.size() > 1 &&
            makes_namespace(n.kids[1]))
          unit.own_namespaces.insert(target.text);
        else if (target.kind == NodeKind::name)
          unit.own_namespaces.erase(target.text);
        if (target.kind == NodeKind::getattr) {
          const NodeId base = target.kids.empty() ? kNoNode : target.kids[0];
          const bool own = base != kNoNode && ast_.at(base).kind == NodeKind::name &&
                           unit.own_namespaces.count(ast_.at(base).text);
          if (!own) unit.sets_namespace = true;
        }
        break;
      }
      case NodeKind::for_stmt: {
        out = walk(n.kids[1], depth + 1);
        const double count = iterations(ast_, n.kids[1]);
        const Strength data = iterates_data(n.kids[1]);
        Scope saved = scope_;
        if (data != none) {
          const Node& t = ast_.at(n.kids[0]);
          if (t.kind == NodeKind::name) scope_.parts[t.text] = data;
          for (NodeId k : t.kind == NodeKind::tuple ? t.kids : std::vector<NodeId>{})
            if (ast_.at(k).kind == NodeKind::name) scope_.parts[ast_.at(k).text] = data;
        }
        if (n.flag) {
          const std::string unit = "l:" + std::to_string(id);
          Scope inner;  // each run is given its items: elements of the data the first run walks
          inner.loop = unit;
          const Node& t = ast_.at(n.kids[0]);
          if (t.kind == NodeKind::name) inner.given.insert(t.text);
          for (NodeId k : t.kind == NodeKind::tuple ? t.kids : std::vector<NodeId>{})
            if (ast_.at(k).kind == NodeKind::name) inner.given.insert(ast_.at(k).text);
          if (data != none || data_.expr(n.kids[1])) inner.roots = inner.given;
          pending_.push_back({unit, n.kids[2], std::move(inner)});
          Calls entry;
          (data != none ? entry.descending : entry.growing)[unit] = 1;
          out.add(entry);
          if (!cur_.empty()) units_[cur_].edges.insert(unit);
          out.add(branch(n.kids[4], depth + 1), count);
        } else {
          scope_.loop.clear();
          out.add(branch(n.kids[2], depth + 1), count);
          out.add(branch(n.kids[4], depth + 1), count);
        }
        scope_ = std::move(saved);
        out.add(branch(n.kids[3], depth + 1));
        return out;
      }
      case NodeKind::call: {
        const std::vector<std::string> to = targets(n);
        if (!to.empty()) {
          const Node& callee = ast_.at(n.kids[0]);
          const bool is_loop = callee.kind == NodeKind::name && callee.text == "loop" && macros_.count("loop") == 0;
          bool all_descend = is_loop ? n.kids.size() > 1 && iterates_data(n.kids[1]) != none : descending_call(n, to);
          // loop(items) runs the loop body once per item; a call through a value that may be a loop
          // (an alias of `loop`) is counted the same way.
          const bool by_name = callee.kind == NodeKind::name && (macros_.count(callee.text) || callee.text == "caller");
          const double weight =
              is_loop ? (n.kids.size() > 1 ? iterations(ast_, n.kids[1]) : 0)
                      : (by_name || n.kids.size() < 2 ? 1 : std::max(1.0, iterations(ast_, n.kids[1])));
          bool grown = false;
          for (std::size_t i = 1; i < n.kids.size(); ++i) grown = grown || grows(n.kids[i]);
          for (const std::string& t : to) {
            (all_descend ? out.descending : out.growing)[t] += weight;
            if (!cur_.empty()) units_[cur_].edges.insert(t);
            if (!cur_.empty() && grown) units_[cur_].grows_into.insert(t);
          }
        }
        break;
      }
      default:
        break;
    }
    for (NodeId k : n.kids) out.add(walk(k, depth + 1));
    return out;
  }

  // Strongly connected components of the call graph (Tarjan's algorithm without recursion): a
  // callee leads back to its caller exactly when both are in one component.
  void components(std::map<std::string, int>& comp, std::vector<bool>& counter) const {
    std::vector<std::string> names;
    std::map<std::string, int> index_of;
    for (const auto& [id, u] : units_) {
      index_of[id] = static_cast<int>(names.size());
      names.push_back(id);
    }
    const int n = static_cast<int>(names.size());
    std::vector<std::vector<int>> next(static_cast<std::size_t>(n));
    for (int v = 0; v < n; ++v)
      for (const auto& e : units_.at(names[static_cast<std::size_t>(v)]).edges) {
        auto it = index_of.find(e);
        if (it != index_of.end()) next[static_cast<std::size_t>(v)].push_back(it->second);
      }
    std::vector<int> index(static_cast<std::size_t>(n), -1), low(static_cast<std::size_t>(n), 0), of(static_cast<std::size_t>(n), -1);
    std::vector<bool> on_stack(static_cast<std::size_t>(n), false);
    std::vector<int> stack;
    std::vector<std::pair<int, std::size_t>> frames;
    int counter_index = 0, components = 0;
    for (int root = 0; root < n; ++root) {
      if (index[static_cast<std::size_t>(root)] >= 0) continue;
      frames.push_back({root, 0});
      while (!frames.empty()) {
        auto& [v, i] = frames.back();
        const auto vs = static_cast<std::size_t>(v);
        if (i == 0 && index[vs] < 0) {
          index[vs] = low[vs] = counter_index++;
          stack.push_back(v);
          on_stack[vs] = true;
        }
        if (i < next[vs].size()) {
          const int w = next[vs][i++];
          const auto ws = static_cast<std::size_t>(w);
          if (index[ws] < 0) frames.push_back({w, 0});
          else if (on_stack[ws]) low[vs] = std::min(low[vs], index[ws]);
          continue;
        }
        if (low[vs] == index[vs]) {
          // Components come out callees first: a component reaches a namespace `set` when one of
          // its units sets one or calls into a component that reaches one.
          bool sets = false;
          std::vector<int> members;
          for (int w = -1; w != v;) {
            w = stack.back();
            stack.pop_back();
            on_stack[static_cast<std::size_t>(w)] = false;
            of[static_cast<std::size_t>(w)] = components;
            members.push_back(w);
            if (units_.at(names[static_cast<std::size_t>(w)]).sets_namespace) sets = true;
          }
          for (int m : members)
            for (int w : next[static_cast<std::size_t>(m)])
              if (of[static_cast<std::size_t>(w)] != components && counter[static_cast<std::size_t>(of[static_cast<std::size_t>(w)])]) sets = true;
          counter.push_back(sets);
          ++components;
        }
        const int done = v;
        frames.pop_back();
        if (!frames.empty()) {
          const auto ps = static_cast<std::size_t>(frames.back().first);
          low[ps] = std::min(low[ps], low[static_cast<std::size_t>(done)]);
        }
      }
    }
    for (int v = 0; v < n; ++v) comp[names[static_cast<std::size_t>(v)]] = of[static_cast<std::size_t>(v)];
  }

  std::vector<Issue> judge() const {
    std::map<std::string, int> comp;
    std::vector<bool> counter_of;
    components(comp, counter_of);
    std::vector<Issue> out;
    for (const auto& [id, u] : units_) {
      if (u.what.empty()) continue;  // the template itself, or a stand-in for several units
      const int c = comp.at(id);
      const bool counter = counter_of[static_cast<std::size_t>(c)];  // a namespace attribute set a run can reach
      double weight = 0;
      auto back = [&](const std::string& callee) {
        auto it = comp.find(callee);
        return it != comp.end() && it->second == c;
      };
      for (const auto& [callee, w] : u.calls.growing)
        if (back(callee)) weight += w;
      if (counter)
        for (const auto& [callee, w] : u.calls.descending)
          if (back(callee)) weight += w;
      for (const auto& callee : u.grows_into)
        if (back(callee)) {
          out.push_back({kResource, u.offset,
                         u.what + " hands a value built from its own parameters twice, or through an operation "
                                  "that can lengthen it (s ~ s, s * 2, |replace), down its own recursion: the "
                                  "value doubles with every level"});
          break;
        }
      if (weight < 2) continue;
      const std::string times = weight >= kUnboundedIterations
                                    ? std::string("an unbounded number of")
                                    : std::to_string(static_cast<long long>(std::min(weight, kCap)));
      out.push_back({kResource, u.offset,
                     u.what + " runs itself (directly, through other macros, caller() or loop()) " + times +
                         " times per run" + (counter ? " in a recursion that sets namespace attributes" : "") +
                         ", with arguments that are not strict parts of the context's data: the rendering "
                         "work multiplies with every level of recursion"});
    }
    return out;
  }

  const Ast& ast_;
  const ContextData& data_;
  std::map<std::string, std::vector<NodeId>> macros_;
  std::vector<std::string> call_blocks_, loops_;
  std::set<std::string> escaped_;
  std::map<std::string, std::vector<std::string>> params_of_;  // macro unit -> parameter names
  std::unordered_set<std::string> rebound_;  // names set, or bound by a loop, somewhere
  std::map<std::string, Unit> units_;
  std::deque<Pending> pending_;
  std::string cur_;
  Scope scope_;
};

}  // namespace recursion_growth
}  // namespace

std::vector<Issue> find_recursion_growth(const Ast& ast, const ContextData& data) {
  return recursion_growth::Recursion(ast, data).issues();
}

}  // namespace modelgate::jinja
