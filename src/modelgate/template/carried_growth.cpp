#include "template/carried_growth.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "template/iterations.h"

namespace modelgate::jinja {

namespace {
namespace carried_growth {  // a namespace of its own: the unity build joins this file with others

constexpr RuleId kResource = "MG-TEMPLATE-RESOURCE";
constexpr unsigned kMaxWalkDepth = 512;  // the parser bounds nesting far below this
constexpr double kSmallGrowth = 1024;    // reads^passes for plain doubling over a literal loop
constexpr std::size_t kStraightLine = 10;  // growing `set`s in a template: 2^10 times a value
constexpr const char* kAnyAttribute = "?";  // a read whose key is computed: any attribute

bool one_of(const std::string& s, const std::unordered_set<std::string>& set) { return set.count(s) != 0; }

// Filters and methods whose result is never longer than their operand (for a string: a string
// of at most its length, or a number, boolean or part of it). Arguments must not be carried.
const std::unordered_set<std::string>& keeping_filters() {
  static const std::unordered_set<std::string> k = {
      "abs",   "capitalize", "count",  "d",      "default",   "e",        "escape", "first",  "float",
      "forceescape", "int",  "last",   "length", "list",      "lower",    "max",    "min",    "reject",
      "rejectattr",  "reverse", "round", "safe", "select",    "selectattr", "sort", "striptags", "sum",
      "title",  "trim",      "truncate", "unique", "upper",   "wordcount"};
  return k;
}
const std::unordered_set<std::string>& keeping_methods() {
  static const std::unordered_set<std::string> k = {
      "capitalize", "casefold", "count", "endswith", "find", "get", "index", "isalnum", "isalpha",
      "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "items", "keys",
      "lower", "lstrip", "partition", "removeprefix", "removesuffix", "rfind", "rindex", "rpartition",
      "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "values"};
  return k;
}
const std::unordered_set<std::string>& numeric_filters() {
  static const std::unordered_set<std::string> k = {"abs", "count", "float", "int", "length", "round", "wordcount"};
  return k;
}

struct Reads {
  double count = 0;      // carried values in the result
  bool grown = false;    // one of them through an operation that can lengthen it
  bool squared = false;  // a product of carried values, or a power of one
  std::vector<std::string> parts;  // straight lines: attribute and item paths of set names read
  void add(const Reads& o) {
    count = std::min(count + o.count, 1e12);
    grown = grown || o.grown;
    squared = squared || o.squared;
    if (parts.size() < 1000) parts.insert(parts.end(), o.parts.begin(), o.parts.end());
  }
  static Reads either(const Reads& a, const Reads& b) {
    Reads r = a.count >= b.count ? a : b;
    r.grown = a.grown || b.grown;
    r.squared = a.squared || b.squared;
    return r;
  }
  // One part read twice can double it as well (a.x ~ a.x); different parts cannot.
  bool repeats_a_part() const {
    std::unordered_set<std::string> seen;
    for (const auto& p : parts)
      if (!seen.insert(p).second) return true;
    return false;
  }
};

class Carried {
 public:
  Carried(const Ast& ast, const ContextData& data) : ast_(ast), data_(data) {}

  std::vector<Issue> issues() {
    for (const Node& n : ast_.nodes)
      if (n.kind == NodeKind::set_stmt || n.kind == NodeKind::set_block) {
        const Node& t = ast_.at(n.kids[0]);
        if (t.kind == NodeKind::getattr) attributes_.insert(t.text);
        if (t.kind == NodeKind::name) set_names_.insert(t.text);
        for (NodeId k : t.kind == NodeKind::tuple ? t.kids : std::vector<NodeId>{})
          if (ast_.at(k).kind == NodeKind::name) set_names_.insert(ast_.at(k).text);
      }
    if (attributes_.empty() && set_names_.empty()) return {};
    collect_names();
    find_numeric();
    find_carried_names();
    find_feeds();
    visit(ast_.root, 1, 0);
    straight_line();
    return std::move(out_);
  }

 private:
  // ---- what holds a namespace, what is carried ----------------------------------------------

  void collect_names() {
    std::map<std::string, std::vector<NodeId>> calls;
    for (NodeId id = 0; id < static_cast<NodeId>(ast_.nodes.size()); ++id) {
      const Node& n = ast_.at(id);
      if (n.kind == NodeKind::set_stmt || n.kind == NodeKind::for_stmt) bind(n.kids[0], n.kids[1]);
      if (n.kind == NodeKind::set_block && ast_.at(n.kids[0]).kind == NodeKind::name)
        bindings_.push_back({data_.scopes().variable(n.kids[0]), n.kids[1]});
      if (n.kind == NodeKind::call && ast_.at(n.kids[0]).kind == NodeKind::name)
        calls[ast_.at(n.kids[0]).text].push_back(id);
      if (n.kind == NodeKind::macro) macros_[n.text].push_back(id);
    }
    for (const auto& [name, defs] : macros_)
      for (NodeId m : defs) {
        const Node& params = ast_.at(ast_.at(m).kids[0]);
        for (std::size_t i = 0; i < params.kids.size(); ++i) {
          const Node& p = ast_.at(params.kids[i]);
          const std::string var = data_.scopes().variable(params.kids[i]);
          if (p.kind == NodeKind::keyword) bindings_.push_back({var, p.kids[0]});
          for (NodeId c : calls[name]) {
            const Node& call = ast_.at(c);
            std::size_t positional = 0;
            for (std::size_t a = 1; a < call.kids.size(); ++a) {
              const Node& arg = ast_.at(call.kids[a]);
              if (arg.kind == NodeKind::star_arg || arg.kind == NodeKind::dstar_arg ||
                  (arg.kind == NodeKind::keyword ? arg.text == p.text : positional++ == i))
                bindings_.push_back({var, call.kids[a]});
            }
          }
        }
      }
    // Names that may hold a namespace: bound to namespace(...), or to an expression mentioning
    // such a name (an alias, a conditional, a macro parameter given one).
    std::vector<Item> items;
    for (const auto& b : bindings_) {
      Item item{b.name, {}, {}};
      const Node& v = ast_.at(b.value);
      if (v.kind == NodeKind::call && ast_.at(v.kids[0]).kind == NodeKind::name &&
          ast_.at(v.kids[0]).text == "namespace")
        item.base.insert("namespace");
      for (NodeId k : below(b.value))
        if (ast_.at(k).kind == NodeKind::name)
          for (const std::string& v : data_.scopes().read(k).variables) item.deps.push_back(v);
      items.push_back(std::move(item));
    }
    for (const auto& [n, what] : propagate(items)) namespaces_.insert(n);
    for (const auto& b : bindings_) values_of_[b.name].push_back(b.value);
  }

  using Attrs = std::set<std::string>;  // attribute names a value may hold carried values of

  struct Item {
    std::string produces;            // the key that holds when the item does
    Attrs base;                      // holds by itself (what it holds)
    std::vector<std::string> deps;   // holds what these keys hold
  };

  // The least fixed point of the items, by a worklist: every key is judged again only when what
  // it holds grows, at most once per attribute name.
  static std::unordered_map<std::string, Attrs> propagate(
      const std::vector<Item>& items, const std::vector<std::pair<std::string, std::string>>& implied = {}) {
    std::unordered_map<std::string, std::vector<std::size_t>> users;
    for (std::size_t i = 0; i < items.size(); ++i)
      for (const auto& d : items[i].deps) users[d].push_back(i);
    std::unordered_map<std::string, Attrs> holds;
    std::vector<std::string> todo;
    auto mark = [&](const std::string& key, const Attrs& what) {
      Attrs& h = holds[key];
      const std::size_t before = h.size();
      h.insert(what.begin(), what.end());
      if (h.size() != before) todo.push_back(key);
    };
    for (const Item& it : items)
      if (!it.base.empty()) mark(it.produces, it.base);
    while (!todo.empty()) {
      const std::string key = std::move(todo.back());
      todo.pop_back();
      const Attrs what = holds[key];
      for (const auto& [from, to] : implied)
        if (key.compare(0, from.size(), from) == 0) mark(to, what);
      auto u = users.find(key);
      if (u == users.end()) continue;
      for (std::size_t i : u->second) mark(items[i].produces, what);
    }
    return holds;
  }

  void bind(NodeId target, NodeId value) {
    const Node& t = ast_.at(target);
    if (t.kind == NodeKind::name) bindings_.push_back({data_.scopes().variable(target), value});
    if (t.kind == NodeKind::tuple || t.kind == NodeKind::list)
      for (NodeId k : t.kids) bind(k, value);
  }

  // Attributes that only ever hold numbers: every namespace field of that name starts as a number
  // and every `set` of it is arithmetic on numbers.
  void find_numeric() {
    std::set<std::string> candidates = attributes_;
    for (const Node& n : ast_.nodes) {
      if (n.kind == NodeKind::set_block && ast_.at(n.kids[0]).kind == NodeKind::getattr)
        candidates.erase(ast_.at(n.kids[0]).text);
      if (n.kind != NodeKind::call || ast_.at(n.kids[0]).kind != NodeKind::name || ast_.at(n.kids[0]).text != "namespace")
        continue;
      for (std::size_t i = 1; i < n.kids.size(); ++i) {
        const Node& kw = ast_.at(n.kids[i]);
        if (kw.kind != NodeKind::keyword) {
          candidates.clear();  // namespace(dict) or **kwargs: fields we cannot see
          continue;
        }
        const NodeKind k = ast_.at(kw.kids[0]).kind;
        if (k != NodeKind::integer && k != NodeKind::floating && k != NodeKind::boolean) candidates.erase(kw.text);
      }
    }
    numeric_ = candidates;
    // Greatest fixed point: an attribute loses its status when one of its `set`s is not arithmetic;
    // then the `set`s that read it are judged again.
    std::unordered_map<std::string, std::vector<NodeId>> users;
    std::vector<NodeId> sets;
    for (NodeId id = 0; id < static_cast<NodeId>(ast_.nodes.size()); ++id) {
      const Node& n = ast_.at(id);
      if (n.kind != NodeKind::set_stmt || ast_.at(n.kids[0]).kind != NodeKind::getattr) continue;
      sets.push_back(id);
      for (NodeId k : below(n.kids[1]))
        if (ast_.at(k).kind == NodeKind::getattr) users[ast_.at(k).text].push_back(id);
    }
    std::vector<std::string> lost;
    auto judge = [&](NodeId id) {
      const Node& n = ast_.at(id);
      const std::string& attr = ast_.at(n.kids[0]).text;
      if (numeric_.count(attr) && !numeric_shaped(n.kids[1], 0)) {
        numeric_.erase(attr);
        lost.push_back(attr);
      }
    };
    for (NodeId id : sets) judge(id);
    while (!lost.empty()) {
      const std::string attr = std::move(lost.back());
      lost.pop_back();
      auto it = users.find(attr);
      if (it == users.end()) continue;
      for (NodeId id : it->second) judge(id);
    }
  }

  bool numeric_shaped(NodeId id, unsigned depth) const {
    if (id == kNoNode || depth > kMaxWalkDepth) return false;
    const Node& n = ast_.at(id);
    switch (n.kind) {
      case NodeKind::integer:
      case NodeKind::floating:
      case NodeKind::boolean:
      case NodeKind::test:
        return true;
      case NodeKind::unary:
        return n.text == "not" || numeric_shaped(n.kids[0], depth + 1);
      case NodeKind::binary:
        if (n.text == "==" || n.text == "!=" || n.text == "<" || n.text == "<=" || n.text == ">" || n.text == ">=" ||
            n.text == "in" || n.text == "not in")
          return true;
        return numeric_shaped(n.kids[0], depth + 1) && numeric_shaped(n.kids[1], depth + 1);
      case NodeKind::filter:
        return numeric_filters().count(n.text) != 0;
      case NodeKind::cond_expr:
        return numeric_shaped(n.kids[0], depth + 1) && n.kids[2] != kNoNode && numeric_shaped(n.kids[2], depth + 1);
      case NodeKind::getattr:
        if (ast_.at(n.kids[0]).kind == NodeKind::name && ast_.at(n.kids[0]).text == "loop")
          return n.text == "index" || n.text == "index0" || n.text == "revindex" || n.text == "revindex0" ||
                 n.text == "length" || n.text == "depth" || n.text == "depth0" || n.text == "first" || n.text == "last";
        return numeric_.count(n.text) != 0 && !data_.expr(n.kids[0]);
      default:
        return false;
    }
  }

  // Carried names ("n:x"), macros whose output may hold carried values ("m:f"), call blocks whose
  // body does ("caller"); "*" when any macro or call block does (a call through an alias).
  void find_carried_names() {
    std::vector<Item> items;
    auto add = [&](const std::string& produces, std::initializer_list<NodeId> roots) {
      Item item{produces, {}, {}};
      for (NodeId r : roots)
        for (NodeId k : below(r)) {
          const Node& n = ast_.at(k);
          if (n.kind == NodeKind::name)
            for (const std::string& v : data_.scopes().read(k).variables) item.deps.push_back("n:" + v);
          else if (is_read(k)) {
            const Attrs a = read_attrs(k);
            item.base.insert(a.begin(), a.end());
          }
          if (n.kind == NodeKind::call) {
            const Node& callee = ast_.at(n.kids[0]);
            if (callee.kind == NodeKind::getattr) continue;
            if (callee.kind == NodeKind::name && macros_.count(callee.text)) item.deps.push_back("m:" + callee.text);
            else if (callee.kind == NodeKind::name && callee.text == "caller") item.deps.push_back("caller");
            else if (!known_global(callee)) item.deps.push_back("*");
          }
        }
      items.push_back(std::move(item));
    };
    for (const auto& b : bindings_) add("n:" + b.name, {b.value});
    for (const auto& [name, defs] : macros_)
      for (NodeId m : defs) add("m:" + name, {ast_.at(m).kids[0], ast_.at(m).kids[1]});
    for (const Node& n : ast_.nodes)
      if (n.kind == NodeKind::call_block) add("caller", {n.kids[2]});
    carried_ = propagate(items, {{"m:", "*"}, {"caller", "*"}});
  }

  bool known_global(const Node& callee) const {
    return callee.kind == NodeKind::name && !data_.bound(callee.text) &&
           (callee.text == "range" || callee.text == "dict" || callee.text == "namespace" ||
            callee.text == "raise_exception" || callee.text == "strftime_now");
  }

  // A call that may output or return carried values by itself (not through its arguments).
  bool reading_call(const Node& call) const {
    const Node& callee = ast_.at(call.kids[0]);
    if (callee.kind == NodeKind::getattr) return false;  // a method: its object is walked separately
    if (callee.kind == NodeKind::name) {
      if (macros_.count(callee.text)) return carried_.count("m:" + callee.text) != 0;
      if (callee.text == "caller") return carried_.count("caller") != 0;
      if (known_global(callee)) return false;
    }
    return carried_.count("*") != 0;  // an alias of a macro, a passed caller
  }

  // The key of find_carried_names a call's output is judged by.
  std::string call_key(const Node& call) const {
    const Node& callee = ast_.at(call.kids[0]);
    if (callee.kind == NodeKind::name && macros_.count(callee.text)) return "m:" + callee.text;
    if (callee.kind == NodeKind::name && callee.text == "caller") return "caller";
    return "*";
  }
  Attrs held(const std::string& key) const {
    auto it = carried_.find(key);
    return it != carried_.end() ? it->second : Attrs{};
  }

  // The attributes a read (is_read) may be of; kAnyAttribute when its key is computed. A namespace
  // made from carried values (namespace(l=ns.all)) holds those too.
  Attrs read_attrs(NodeId id) const {
    const Node& n = ast_.at(id);
    Attrs a;
    if (n.kind == NodeKind::getattr) a.insert(n.text);
    if (n.kind == NodeKind::getitem || n.kind == NodeKind::filter)
      a.insert(ast_.at(n.kids[1]).kind == NodeKind::string ? ast_.at(n.kids[1]).text : kAnyAttribute);
    for (NodeId k : n.kind == NodeKind::name ? std::vector<NodeId>{id} : below(n.kids[0]))
      if (ast_.at(k).kind == NodeKind::name)
        for (const std::string& v : data_.scopes().read(k).variables) {
          const Attrs h = held("n:" + v);
          a.insert(h.begin(), h.end());
        }
    return a;
  }

  // Whether a read of these attributes counts for the `set` being judged: one whose value may be
  // built from the attribute the `set` targets (relevant_), one of a computed key, or a number
  // (numbers may double unreported, and repetition by one multiplies).
  bool counts(const Attrs& attrs) const {
    if (relevant_ == nullptr) return true;
    for (const std::string& a : attrs)
      if (a == kAnyAttribute || relevant_->count(a) || numeric_.count(a)) return true;
    return false;
  }

  // Which attribute's `set`s read which attributes (feeds_), and from it the attributes whose value
  // may be built from `attr` (itself included).
  void find_feeds() {
    for (const Node& n : ast_.nodes) {
      if (n.kind != NodeKind::set_stmt && n.kind != NodeKind::set_block) continue;
      if (ast_.at(n.kids[0]).kind != NodeKind::getattr) continue;
      const std::string& target = ast_.at(n.kids[0]).text;
      for (std::size_t i = 1; i < n.kids.size(); ++i)
        for (NodeId k : below(n.kids[i])) {
          Attrs from;
          if (is_read(k)) from = read_attrs(k);
          else if (ast_.at(k).kind == NodeKind::call && reading_call(ast_.at(k))) from = held(call_key(ast_.at(k)));
          for (const std::string& a : from) feeds_[a].insert(target);
        }
    }
  }
  Attrs built_from(const std::string& attr) const {
    Attrs seen{attr};
    std::vector<std::string> todo{attr};
    while (!todo.empty()) {
      const std::string a = std::move(todo.back());
      todo.pop_back();
      for (const std::string& from : {a, std::string(kAnyAttribute)}) {
        auto it = feeds_.find(from);
        if (it == feeds_.end()) continue;
        for (const std::string& t : it->second)
          if (seen.insert(t).second) todo.push_back(t);
      }
    }
    return seen;
  }

  // Whether a variable a name may refer to is in `keys` (with `prefix`).
  template <class Keys>
  bool any_variable(NodeId name, const Keys& keys, const std::string& prefix) const {
    for (const std::string& v : data_.scopes().read(name).variables)
      if (keys.count(prefix + v)) return true;
    return false;
  }

  // A read of a carried value.
  bool is_read(NodeId id) const {
    const Node& n = ast_.at(id);
    auto key_read = [&](NodeId object, NodeId key) {
      if (data_.expr(object)) return false;
      const Node& k = ast_.at(key);
      if (k.kind == NodeKind::string) return attributes_.count(k.text) != 0;
      if (k.kind == NodeKind::integer || k.kind == NodeKind::slice) return false;
      const Node& o = ast_.at(object);
      return o.kind != NodeKind::name || any_variable(object, namespaces_, "");
    };
    switch (n.kind) {
      case NodeKind::name:
        return any_variable(id, carried_, "n:") || (straight_ && set_names_.count(n.text) != 0);
      case NodeKind::getattr:
        return attributes_.count(n.text) && !data_.expr(n.kids[0]);
      case NodeKind::getitem:
        return key_read(n.kids[0], n.kids[1]);
      case NodeKind::filter:
        return n.text == "attr" && n.kids.size() > 1 && n.kids[0] != kNoNode && key_read(n.kids[0], n.kids[1]);
      default:
        return false;
    }
  }

  std::vector<NodeId> below(NodeId root) const {
    std::vector<NodeId> out, todo{root};
    while (!todo.empty()) {
      NodeId id = todo.back();
      todo.pop_back();
      if (id == kNoNode) continue;
      out.push_back(id);
      if (ast_.at(id).kind == NodeKind::macro && id != root) continue;
      for (NodeId k : ast_.at(id).kids) todo.push_back(k);
    }
    return out;
  }

  // ---- how a value is built from carried ones ---------------------------------------------------

  Reads eval(NodeId id, unsigned depth) const {
    Reads r;
    if (id == kNoNode || depth > kMaxWalkDepth) return r;
    if (is_read(id)) {
      if (!counts(read_attrs(id))) return r;
      if (relevant_ != nullptr && ast_.at(id).kind == NodeKind::name) return through_name(id, depth);
      return {1, false, false, {}};
    }
    const Node& n = ast_.at(id);
    auto sum = [&](std::size_t from = 0) {
      Reads s;
      for (std::size_t i = from; i < n.kids.size(); ++i) s.add(eval(n.kids[i], depth + 1));
      return s;
    };
    switch (n.kind) {
      case NodeKind::getattr:
      case NodeKind::getitem:
        // A part of a value is not the value (message.role ~ message.content), but one part twice
        // doubles that part.
        if (straight_ && (n.kind == NodeKind::getattr || ast_.at(n.kids[1]).kind != NodeKind::slice)) {
          std::string p = part_path(id, 0);
          if (!p.empty()) r.parts.push_back(std::move(p));
          return r;
        }
        return sum();
      case NodeKind::macro:
      case NodeKind::test:
        return r;  // a definition; a boolean
      case NodeKind::unary:
        return n.text == "not" ? r : sum();
      case NodeKind::binary: {
        if (n.text == "==" || n.text == "!=" || n.text == "<" || n.text == "<=" || n.text == ">" || n.text == ">=" ||
            n.text == "in" || n.text == "not in")
          return r;
        Reads l = eval(n.kids[0], depth + 1), rr = eval(n.kids[1], depth + 1);
        r = l;
        r.add(rr);
        if (n.text == "+" || n.text == "-" || n.text == "and" || n.text == "or") return r;
        r.grown = r.grown || r.count > 0;  // repetition, % formatting, arithmetic
        r.squared = r.squared || (n.text == "*" && l.count > 0 && rr.count > 0) || (n.text == "**" && r.count > 0);
        return r;
      }
      case NodeKind::cond_expr:
        return Reads::either(eval(n.kids[0], depth + 1), eval(n.kids[2], depth + 1));
      case NodeKind::if_stmt:
        return Reads::either(eval(n.kids[1], depth + 1), eval(n.kids[2], depth + 1));
      case NodeKind::filter: {
        Reads op = eval(n.kids[0], depth + 1), args = sum(1);
        if (one_of(n.text, keeping_filters()) && args.count == 0) return op;
        op.add(args);
        op.grown = op.grown || op.count > 0;
        return op;
      }
      case NodeKind::call: {
        const Node& callee = ast_.at(n.kids[0]);
        Reads args = sum(1);
        if (callee.kind == NodeKind::getattr) {
          Reads object = eval(callee.kids[0], depth + 1);
          if (one_of(callee.text, keeping_methods()) && args.count == 0) return object;
          object.add(args);
          object.grown = object.grown || object.count > 0;
          return object;
        }
        if (known_global(callee)) return args;
        if (reading_call(n) && counts(held(call_key(n)))) args.count += 1;
        args.grown = args.grown || args.count > 0;  // a macro may output its arguments any number of times
        return args;
      }
      case NodeKind::for_stmt: {
        r = eval(n.kids[1], depth + 1);
        Reads body = eval(n.kids[2], depth + 1);
        body.add(eval(n.kids[4], depth + 1));
        const double count = iterations(ast_, n.kids[1]);
        body.count = std::min(body.count * count, 1e12);
        body.grown = body.grown || (body.count > 0 && count > 1);
        r.add(body);
        r.add(eval(n.kids[3], depth + 1));
        return r;
      }
      case NodeKind::call_block:
      case NodeKind::filter_block:
        r = sum();
        r.grown = r.grown || r.count > 0;
        return r;
      case NodeKind::set_stmt:
      case NodeKind::set_block:
        return r;  // a binding: what it carries is counted where the name is read
      default:
        return sum();
    }
  }

  // A carried name weighs what it was bound from: `{% set t = ns.s ~ ns.s %}{% set ns.s = t %}` reads
  // ns.s twice. Once per variable and judged `set` (memo_), a name bound from itself once.
  Reads through_name(NodeId name, unsigned depth) const {
    Reads best{1, false, false, {}};
    for (const std::string& v : data_.scopes().read(name).variables) {
      auto m = memo_.find(v);
      if (m == memo_.end()) {
        if (!expanding_.insert(v).second) continue;
        Reads via{1, false, false, {}};
        auto it = values_of_.find(v);
        if (it != values_of_.end())
          for (NodeId value : it->second) {
            Reads b = eval(value, depth + 1);
            via.count = std::max(via.count, b.count);
            via.grown = via.grown || b.grown;
            via.squared = via.squared || b.squared;
          }
        expanding_.erase(v);
        m = memo_.emplace(v, via).first;
      }
      best.count = std::max(best.count, m->second.count);
      best.grown = best.grown || m->second.grown;
      best.squared = best.squared || m->second.squared;
    }
    return best;
  }

  // ---- the assignments that run more than once ----------------------------------------------------

  // `passes`: how often the statement can run (product of enclosing literal loop counts; unbounded
  // inside a macro, call block or any other loop).
  void visit(NodeId id, double passes, unsigned depth) {
    if (id == kNoNode || depth > kMaxWalkDepth) return;
    const Node& n = ast_.at(id);
    switch (n.kind) {
      case NodeKind::macro:
        visit(n.kids[1], kUnboundedIterations, depth + 1);
        return;
      case NodeKind::call_block:
        visit(n.kids[2], kUnboundedIterations, depth + 1);
        return;
      case NodeKind::for_stmt:
        visit(n.kids[2], std::min(passes * (n.flag ? kUnboundedIterations : iterations(ast_, n.kids[1])), 1e12),
              depth + 1);
        visit(n.kids[3], passes, depth + 1);
        return;
      case NodeKind::set_stmt:
      case NodeKind::set_block:
        if (ast_.at(n.kids[0]).kind == NodeKind::getattr && passes > 1) judge(n, passes);
        break;
      default:
        break;
    }
    for (NodeId k : n.kids) visit(k, passes, depth + 1);
  }

  void judge(const Node& set, double passes) {
    const std::string attr = ast_.at(set.kids[0]).text;
    // Reads of attributes that cannot hold this one's value add a part that does not grow with it
    // (their own `set`s are judged by themselves): `ns.all = ns.all + [fresh.lines|join]`.
    const Attrs relevant = built_from(attr);
    relevant_ = &relevant;
    memo_.clear();
    Reads r = eval(set.kids[1], 0);
    relevant_ = nullptr;
    if (set.kind == NodeKind::set_block && set.kids[2] != kNoNode && r.count > 0)
      for (NodeId f : below(set.kids[2]))
        if (ast_.at(f).kind == NodeKind::filter && !one_of(ast_.at(f).text, keeping_filters())) r.grown = true;
    bool growth;
    if (numeric_.count(attr)) growth = r.squared;
    else if (r.grown) growth = true;
    else growth = r.count >= 2 && (passes >= kUnboundedIterations || std::pow(r.count, passes) > kSmallGrowth);
    if (!growth) return;
    const Node& target = ast_.at(set.kids[0]);
    std::string name = attr.substr(0, 80);
    if (ast_.at(target.kids[0]).kind == NodeKind::name) name = ast_.at(target.kids[0]).text.substr(0, 40) + "." + name;
    const std::string where = passes >= kUnboundedIterations ? std::string("any number of times")
                                                             : std::to_string(static_cast<long long>(passes)) + " times";
    out_.push_back({kResource, set.offset,
                    "'" + name + "' is set, " + where + ", from " +
                        (r.grown ? std::string("a carried value through an operation that can lengthen it "
                                               "(repetition, formatting, a filter or method, a macro call, a loop)")
                                 : std::to_string(static_cast<long long>(r.count)) + " reads of carried values") +
                        ": its size can multiply on every pass"});
  }

  // Straight-line chains: without any loop, `{% set b = a ~ a %}{% set c = b ~ b %}`... (or the
  // same `set` written forty times) doubles a value per statement. Every `set` whose value grows a
  // value the template set (two reads of set names or carried values, or one through a lengthening
  // operation) counts; kStraightLine of them can multiply a value by 2^kStraightLine.
  void straight_line() {
    straight_ = true;
    std::size_t count = 0;
    for (const Node& n : ast_.nodes) {
      if (n.kind != NodeKind::set_stmt && n.kind != NodeKind::set_block) continue;
      const Node& t = ast_.at(n.kids[0]);
      if (t.kind == NodeKind::getattr && numeric_.count(t.text)) continue;
      Reads r = eval(n.kids[1], 0);
      if (n.kind == NodeKind::set_block && n.kids[2] != kNoNode && r.count > 0) r.grown = true;
      if (!r.grown && r.count < 2 && !r.repeats_a_part()) continue;
      if (++count == kStraightLine) {
        out_.push_back({kResource, n.offset,
                        std::to_string(kStraightLine) +
                            " or more `set` statements each build a value from values the template set, twice "
                            "or through an operation that can lengthen it: a chain of them multiplies the size "
                            "with every statement"});
        break;
      }
    }
    straight_ = false;
  }

  // "a.x[0]" for a part of a name some `set` binds, "" otherwise.
  std::string part_path(NodeId id, unsigned depth) const {
    if (id == kNoNode || depth > 64) return "";
    const Node& n = ast_.at(id);
    if (n.kind == NodeKind::name) return set_names_.count(n.text) ? n.text : "";
    if (n.kind != NodeKind::getattr && n.kind != NodeKind::getitem) return "";
    std::string o = part_path(n.kids[0], depth + 1);
    if (o.empty()) return o;
    if (n.kind == NodeKind::getattr) return o + "." + n.text;
    const Node& k = ast_.at(n.kids[1]);
    if (k.kind == NodeKind::slice) return o;
    if (k.kind == NodeKind::string) return o + "." + k.text;
    if (k.kind == NodeKind::integer) return o + "[" + k.text + "]";
    return o + "[?]";
  }

  struct Binding {
    std::string name;
    NodeId value;
  };

  const Ast& ast_;
  const ContextData& data_;
  std::set<std::string> attributes_;  // attribute names some `set` targets
  std::unordered_set<std::string> set_names_;  // plain names some `set` targets
  bool straight_ = false;                      // set names count as reads (straight_line)
  std::set<std::string> numeric_;
  std::map<std::string, std::vector<NodeId>> macros_;
  std::vector<Binding> bindings_;
  std::unordered_set<std::string> namespaces_;
  std::unordered_map<std::string, Attrs> carried_;  // keys of find_carried_names: what they hold
  std::unordered_map<std::string, Attrs> feeds_;    // attribute -> attributes set from its value
  const Attrs* relevant_ = nullptr;                 // judge: the reads that count (all when null)
  std::unordered_map<std::string, std::vector<NodeId>> values_of_;  // variable -> what it is bound to
  mutable std::unordered_map<std::string, Reads> memo_;             // through_name, per judged `set`
  mutable std::unordered_set<std::string> expanding_;
  std::vector<Issue> out_;
};

}  // namespace carried_growth
}  // namespace

std::vector<Issue> find_carried_growth(const Ast& ast, const ContextData& data) {
  return carried_growth::Carried(ast, data).issues();
}

}  // namespace modelgate::jinja
