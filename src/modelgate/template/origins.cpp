#include "template/origins.h"

#include <algorithm>
#include <string_view>

#include "template/vocabulary.h"

namespace modelgate::jinja {

namespace {

constexpr std::size_t kMaxConsts = 32;
constexpr int kMaxItemDepth = 4;
constexpr int kMaxRounds = 40;

int item_depth(const Origin& o, int depth = 0) {
  if (depth > kMaxItemDepth) return depth;
  int d = depth;
  for (const auto* p : {o.items.get(), o.keys.get(), o.values.get()})
    if (p != nullptr) d = std::max(d, item_depth(*p, depth + 1));
  return d;
}

// The flags and constants of everything nested in `o`, without structure.
void flatten_into(Origin& flat, const Origin& o) {
  for (const auto* p : {o.items.get(), o.keys.get(), o.values.get()}) {
    if (p == nullptr) continue;
    flat.data = flat.data || p->data;
    flat.nonstr = flat.nonstr || p->nonstr || p->items || p->keys || p->values;
    flat.computed = flat.computed || p->computed;
    flat.loop = flat.loop || p->loop;
    flat.consts.insert(p->consts.begin(), p->consts.end());
    flatten_into(flat, *p);
  }
}

void join_part(std::shared_ptr<const Origin>& mine, const std::shared_ptr<const Origin>& theirs) {
  if (!theirs) return;
  if (!mine) {
    mine = theirs;
  } else if (!(*mine == *theirs)) {
    Origin merged = *mine;
    merged.join(*theirs);
    mine = std::make_shared<const Origin>(std::move(merged));
  }
}

bool same_part(const std::shared_ptr<const Origin>& a, const std::shared_ptr<const Origin>& b) {
  if (!a || !b) return !a && !b;
  return *a == *b;
}

Origin computed_origin() {
  Origin o;
  o.computed = true;
  return o;
}
Origin nonstr_origin() {
  Origin o;
  o.nonstr = true;
  return o;
}
Origin data_origin() {
  Origin o;
  o.data = true;
  return o;
}
Origin const_origin(const std::string& s) {
  Origin o;
  o.consts.insert(s);
  return o;
}
Origin container_of(const Origin& items) {
  Origin o;
  o.nonstr = true;
  o.items = std::make_shared<const Origin>(items);
  return o;
}
Origin dict_of(const Origin& keys, const Origin& values) {
  Origin o;
  o.nonstr = true;
  o.keys = std::make_shared<const Origin>(keys);
  o.values = std::make_shared<const Origin>(values);
  return o;
}
// What indexing or attribute lookup on a template-built container gives.
Origin looked_up(const Origin& o) {
  Origin r;
  if (o.items) r.join(*o.items);
  if (o.values) r.join(*o.values);
  return r;
}
// Keys and values together: the pairs of |items and .items().
Origin keys_and_values(const Origin& o) {
  Origin r;
  if (o.keys) r.join(*o.keys);
  if (o.values) r.join(*o.values);
  if (o.items) r.join(*o.items);
  return r;
}
bool built_container(const Origin& o) { return o.items || o.keys || o.values; }
// Only numbers, booleans, None or containers: never a string.
bool only_nonstr(const Origin& o) { return !o.data && !o.computed && !o.loop && o.consts.empty(); }

Origin origin_of_value(const Value& v) {
  if (v.kind == Value::Kind::string) return const_origin(v.str);
  if (v.kind != Value::Kind::list) return nonstr_origin();
  Origin items;
  for (const auto& i : v.items) items.join(origin_of_value(i));
  return container_of(items);
}

bool name_in(std::string_view s, std::initializer_list<std::string_view> set) {
  for (auto x : set)
    if (s == x) return true;
  return false;
}

}  // namespace

void Origin::join(const Origin& o) {
  data = data || o.data;
  nonstr = nonstr || o.nonstr;
  computed = computed || o.computed;
  loop = loop || o.loop;
  consts.insert(o.consts.begin(), o.consts.end());
  if (consts.size() > kMaxConsts) {
    consts.clear();
    computed = true;
  }
  join_part(items, o.items);
  join_part(keys, o.keys);
  join_part(values, o.values);
  if (item_depth(*this) > kMaxItemDepth) {
    // Widen: everything any nested container holds, in one level. Sound, because looking into
    // a value that is not a built container again gives only its flags (computed stays computed).
    Origin flat;
    flatten_into(flat, *this);
    if (flat.consts.size() > kMaxConsts) {
      flat.consts.clear();
      flat.computed = true;
    }
    auto shared = std::make_shared<const Origin>(std::move(flat));
    if (items) items = shared;
    if (keys) keys = shared;
    if (values) values = shared;
  }
}

bool Origin::operator==(const Origin& o) const {
  if (data != o.data || nonstr != o.nonstr || computed != o.computed || loop != o.loop || consts != o.consts)
    return false;
  return same_part(items, o.items) && same_part(keys, o.keys) && same_part(values, o.values);
}

OriginAnalysis::OriginAnalysis(const Ast& ast, const Limits& limits) : ast_(ast), pure_(ast, limits) {
  collect();
  // A namespace field starts with nothing, like every summary; only its sites add to it. (Taken as
  // computed until its summary exists, `{% set ns.i = ns.i + 1 %}` stayed computed for good.)
  for (const auto& [name, sites] : sites_)
    if (name.find('.') != std::string::npos) summary_.emplace(name, Origin{});
  bool converged = false;
  for (int round = 0; round < kMaxRounds && !converged; ++round) {
    converged = true;
    for (const auto& [name, sites] : sites_) {
      // A name may also be read where the template has not bound it (the context's value);
      // `ns.attr` exists only where it was set.
      Origin o = name.find('.') == std::string::npos ? free_name(name) : Origin{};
      for (const Site& s : sites) o.join(site_origin(s));
      auto it = summary_.find(name);
      // Accumulate: with the widening in Origin::join this is monotone and bounded, so it ends.
      if (it != summary_.end()) o.join(it->second);
      if (it == summary_.end() || !(it->second == o)) {
        summary_[name] = std::move(o);
        converged = false;
      }
    }
  }
  if (!converged)
    for (auto& [name, o] : summary_) o.computed = true;
}

void OriginAnalysis::bind(const std::string& name, Site s) { sites_[name].push_back(s); }

void OriginAnalysis::record_key(NodeId key_expr) {
  const Value* v = pure_.fold(key_expr);
  if (v != nullptr && v->kind == Value::Kind::string) keys_.insert(v->str);
  else if (v == nullptr) any_key_ = true;
}

void OriginAnalysis::bind_target(NodeId target, NodeId value, bool from_for) {
  const Node& t = ast_.at(target);
  if (t.kind == NodeKind::name) {
    bound_.insert(t.text);
    bind(t.text, Site{from_for ? Site::Kind::element : Site::Kind::expr, value});
  } else if (t.kind == NodeKind::tuple) {
    for (NodeId k : t.kids) {
      const Node& kn = ast_.at(k);
      if (kn.kind == NodeKind::name) {
        bound_.insert(kn.text);
        bind(kn.text, Site{from_for ? Site::Kind::element_of_element : Site::Kind::element, value});
      } else {
        for (const Node* p = &kn; p->kind == NodeKind::tuple && !p->kids.empty();) {
          for (NodeId inner : p->kids)
            if (ast_.at(inner).kind == NodeKind::name) {
              bound_.insert(ast_.at(inner).text);
              bind(ast_.at(inner).text, Site{Site::Kind::computed});
            }
          break;
        }
      }
    }
  } else if (t.kind == NodeKind::getattr && ast_.at(t.kids[0]).kind == NodeKind::name) {
    keys_.insert(t.text);
    // Keyed by the attribute alone: another name (an alias, a macro parameter) may hold the same
    // namespace, and so may any expression.
    bind("." + t.text, Site{from_for ? Site::Kind::element : Site::Kind::expr, value});
  }
}

void OriginAnalysis::bind_macro_call(const Node& macro, NodeId call_id) {
  const Node& call = ast_.at(call_id);
  const auto& params = ast_.at(macro.kids[0]).kids;
  std::size_t position = 0;
  for (std::size_t i = 1; i < call.kids.size(); ++i) {
    const Node& a = ast_.at(call.kids[i]);
    if (a.kind == NodeKind::star_arg || a.kind == NodeKind::dstar_arg) {
      for (NodeId p : params) bind(ast_.at(p).text, Site{Site::Kind::computed});
      bind("varargs", Site{Site::Kind::computed});
      bind("kwargs", Site{Site::Kind::computed});
    } else if (a.kind == NodeKind::keyword) {
      bool matched = false;
      for (NodeId p : params)
        if (ast_.at(p).text == a.text) {
          bind(a.text, Site{Site::Kind::expr, a.kids[0]});
          matched = true;
        }
      if (!matched) bind("kwargs", Site{Site::Kind::computed});
    } else if (position < params.size()) {
      bind(ast_.at(params[position++]).text, Site{Site::Kind::expr, call.kids[i]});
    } else {
      bind("varargs", Site{Site::Kind::computed});
    }
  }
}

void OriginAnalysis::collect() {
  std::unordered_map<std::string, std::vector<const Node*>> macro_nodes;
  for (const Node& n : ast_.nodes)
    if (n.kind == NodeKind::macro) {
      macros_.insert(n.text);
      macro_nodes[n.text].push_back(&n);
    }
  std::unordered_map<std::string, int> uses, calls;
  for (std::size_t i = 0; i < ast_.nodes.size(); ++i) {
    const Node& n = ast_.nodes[i];
    auto id = static_cast<NodeId>(i);
    switch (n.kind) {
      case NodeKind::set_stmt:
        bind_target(n.kids[0], n.kids[1], false);
        break;
      case NodeKind::set_block:
        if (ast_.at(n.kids[0]).kind == NodeKind::name) {
          bound_.insert(ast_.at(n.kids[0]).text);
          bind(ast_.at(n.kids[0]).text,
               n.kids[2] == kNoNode ? Site{Site::Kind::expr, n.kids[1]} : Site{Site::Kind::computed});
        } else {
          bind_target(n.kids[0], kNoNode, false);
        }
        break;
      case NodeKind::for_stmt:
        bind_target(n.kids[0], n.kids[1], true);
        bind("loop", Site{Site::Kind::loop});
        break;
      case NodeKind::macro:
        for (NodeId p : ast_.at(n.kids[0]).kids) {
          const Node& pn = ast_.at(p);
          bound_.insert(pn.text);
          // Without a default, a parameter no call passes is undefined (renders as nothing).
          bind(pn.text, pn.kind == NodeKind::keyword ? Site{Site::Kind::expr, pn.kids[0]} : Site{Site::Kind::undefined});
        }
        for (const char* implicit : {"varargs", "kwargs", "caller"}) bind(implicit, Site{Site::Kind::computed});
        break;
      case NodeKind::call_block:
        for (NodeId p : ast_.at(n.kids[1]).kids) {
          bound_.insert(ast_.at(p).text);
          bind(ast_.at(p).text, Site{Site::Kind::computed});
        }
        break;
      case NodeKind::import_stmt:
        bound_.insert(n.text);
        bind(n.text, Site{Site::Kind::computed});
        break;
      case NodeKind::from_import:
        for (std::size_t k = 1; k < n.kids.size(); ++k) {
          const Node& item = ast_.at(n.kids[k]);
          bound_.insert(item.text);
          bind(item.text, Site{Site::Kind::computed});
          if (item.kind == NodeKind::keyword && !item.kids.empty()) {
            bound_.insert(ast_.at(item.kids[0]).text);
            bind(ast_.at(item.kids[0]).text, Site{Site::Kind::computed});
          }
        }
        break;
      case NodeKind::dict:
        for (std::size_t k = 0; k < n.kids.size(); k += 2) record_key(n.kids[k]);
        break;
      case NodeKind::name:
        if (macros_.count(n.text)) ++uses[n.text];
        break;
      case NodeKind::call: {
        const Node& c = ast_.at(n.kids[0]);
        if (c.kind != NodeKind::name) break;
        if (c.text == "dict" || c.text == "namespace") {
          for (std::size_t k = 1; k < n.kids.size(); ++k) {
            const Node& a = ast_.at(n.kids[k]);
            if (a.kind == NodeKind::keyword) keys_.insert(a.text);
            else any_key_ = true;
          }
        }
        auto m = macro_nodes.find(c.text);
        if (m != macro_nodes.end()) {
          ++calls[c.text];
          for (const Node* macro : m->second) bind_macro_call(*macro, id);
        }
        break;
      }
      default:
        break;
    }
  }
  // A macro passed around as a value can be called from anywhere: its parameters are unknown.
  for (const auto& [name, count] : uses)
    if (count > calls[name])
      for (const Node* macro : macro_nodes[name]) {
        for (NodeId p : ast_.at(macro->kids[0]).kids) bind(ast_.at(p).text, Site{Site::Kind::computed});
        bind("varargs", Site{Site::Kind::computed});
        bind("kwargs", Site{Site::Kind::computed});
      }
}

Origin OriginAnalysis::site_origin(const Site& s) const {
  switch (s.kind) {
    case Site::Kind::expr: return s.node == kNoNode ? computed_origin() : of(s.node);
    case Site::Kind::element: return element(of(s.node));
    case Site::Kind::element_of_element: return element(element(of(s.node)));
    case Site::Kind::loop: {
      Origin o;
      o.loop = true;
      return o;
    }
    case Site::Kind::computed: return computed_origin();
    case Site::Kind::undefined: return data_origin();
  }
  return computed_origin();
}

Origin OriginAnalysis::free_name(const std::string& name) const {
  if (is_known_global_function(name) || is_gadget_object(name) || name == "caller" || name == "varargs" ||
      name == "kwargs" || macros_.count(name) || name.find('.') != std::string::npos)
    return computed_origin();
  return data_origin();
}

Origin OriginAnalysis::element(const Origin& o) {
  Origin r;
  if (o.items) r.join(*o.items);
  if (o.keys) r.join(*o.keys);  // iterating a dict gives its keys
  if (o.data) r.data = true;
  if (o.nonstr && !built_container(o)) r.nonstr = true;
  if (o.computed || o.loop || !o.consts.empty()) r.computed = true;
  return r;
}

Origin OriginAnalysis::attribute(NodeId obj, const std::string& attr) const {
  Origin r;
  auto it = summary_.find("." + attr);
  if (it != summary_.end()) r.join(it->second);
  Origin o = of(obj);
  if (o.data) r.data = true;
  if (o.loop) {
    if (name_in(attr, {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0"}))
      r.nonstr = true;
    else
      r.computed = true;
  }
  if (!o.consts.empty()) r.nonstr = true;     // a bound method of str
  if (o.values) r.join(*o.values);  // a dict's item, through Jinja's getattr fallback (not a list's)
  if (o.items || o.keys) r.nonstr = true;  // methods of the container
  if (o.nonstr) r.nonstr = true;
  if (o.computed) r.computed = true;
  return r;
}

Origin OriginAnalysis::call(const Node& n) const {
  const Node& c = ast_.at(n.kids[0]);
  auto positional_args = [&]() {
    Origin r;
    for (std::size_t i = 1; i < n.kids.size(); ++i) {
      const Node& a = ast_.at(n.kids[i]);
      r.join(a.kind == NodeKind::keyword || a.kind == NodeKind::star_arg || a.kind == NodeKind::dstar_arg
                 ? of(a.kids[0])
                 : of(n.kids[i]));
    }
    return r;
  };
  if (c.kind == NodeKind::name) {
    const std::string& f = c.text;
    if (rebound(f) || macros_.count(f)) return computed_origin();
    if (f == "range") return container_of(nonstr_origin());
    if (f == "raise_exception") return nonstr_origin();
    if (f == "dict" || f == "namespace") {
      Origin keys;
      for (std::size_t i = 1; i < n.kids.size(); ++i) {
        const Node& a = ast_.at(n.kids[i]);
        if (a.kind == NodeKind::keyword) keys.join(const_origin(a.text));
        else keys.computed = true;
      }
      return dict_of(keys, positional_args());
    }
    return computed_origin();
  }
  if (c.kind != NodeKind::getattr) return computed_origin();
  const std::string& m = c.text;
  Origin recv = of(c.kids[0]);
  if (recv.loop && !recv.computed && !recv.data && m == "cycle") return positional_args();
  if (recv.loop && !recv.computed && !recv.data && m == "changed") return nonstr_origin();
  if (recv.computed || recv.loop) return computed_origin();
  if (name_in(m, {"count", "find", "index", "rfind", "rindex", "startswith", "endswith", "isalnum", "isalpha",
                 "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper"}))
    return nonstr_origin();
  Origin r;
  if (recv.data) {
    if (name_in(m, {"strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "partition", "rpartition",
                   "lower", "upper", "title", "capitalize", "swapcase", "casefold", "removeprefix",
                   "removesuffix", "items", "keys", "values", "copy"}))
      r.data = true;
    else if (m == "get")
      r.join(n.kids.size() > 2 ? of(n.kids[2]) : nonstr_origin()), r.data = true;
    else
      return computed_origin();
  }
  if (!recv.consts.empty()) return computed_origin();  // pure folding did not compute it
  if (built_container(recv)) {
    if (m == "keys") r.join(container_of(recv.keys ? *recv.keys : Origin{}));
    else if (m == "values") r.join(container_of(looked_up(recv)));
    else if (m == "copy") r.join(recv);
    else if (m == "items") r.join(container_of(container_of(keys_and_values(recv))));
    else if (m == "get") r.join(looked_up(recv)), r.join(n.kids.size() > 2 ? of(n.kids[2]) : nonstr_origin());
    else return computed_origin();
  } else if (recv.nonstr) {
    return computed_origin();
  }
  return r;
}

Origin OriginAnalysis::filter(const Node& n) const {
  if (n.kids.empty() || n.kids[0] == kNoNode) return computed_origin();
  const std::string& f = n.text;
  Origin in = of(n.kids[0]);
  auto has_keyword = [&](std::string_view k) {
    for (std::size_t i = 1; i < n.kids.size(); ++i)
      if (ast_.at(n.kids[i]).kind == NodeKind::keyword && ast_.at(n.kids[i]).text == k) return true;
    return false;
  };
  if (name_in(f, {"length", "count", "wordcount", "int", "float", "round", "abs"})) return nonstr_origin();
  if (f == "default" || f == "d") {
    Origin r = in;
    r.join(n.kids.size() > 1 ? of(n.kids[1]) : const_origin(""));
    return r;
  }
  if (in.computed || in.loop) return computed_origin();
  Origin r;
  if (name_in(f, {"first", "last", "random", "min", "max"})) return element(in);
  bool container_op = name_in(f, {"list", "sort", "unique", "reverse", "dictsort", "select", "reject", "selectattr",
                                  "rejectattr", "batch", "slice", "items", "groupby"}) ||
                      (f == "map" && has_keyword("attribute"));
  bool data_text = name_in(f, {"string", "lower", "upper", "title", "capitalize", "trim", "striptags", "e", "escape",
                              "forceescape", "safe", "urlencode", "tojson", "pprint", "center", "filesizeformat"});
  if (!container_op && !data_text) return computed_origin();
  if (in.data) r.data = true;
  if (!in.consts.empty()) r.computed = true;
  if (container_op && built_container(in)) {
    if (f == "items" || f == "dictsort") r.join(container_of(container_of(keys_and_values(in))));
    else if (f == "batch" || f == "slice" || f == "groupby") r.join(container_of(container_of(element(in))));
    else if (f == "map") r.computed = true;
    else r.join(container_of(element(in)));
  } else if (in.nonstr) {
    r.join(data_text ? computed_origin() : nonstr_origin());  // str() of a template-built value
  }
  return r;
}

Origin OriginAnalysis::of(NodeId id) const {
  Origin o = compute(id);
  return o.empty() ? computed_origin() : o;
}

Origin OriginAnalysis::compute(NodeId id) const {
  if (id == kNoNode) return nonstr_origin();
  const Node& n = ast_.at(id);
  if (n.kind != NodeKind::name)
    if (const Value* v = pure_.fold(id)) return origin_of_value(*v);
  switch (n.kind) {
    case NodeKind::string: return computed_origin();  // an escape that was not decoded
    case NodeKind::integer:
    case NodeKind::floating:
    case NodeKind::boolean:
    case NodeKind::none:
    case NodeKind::test: return nonstr_origin();
    case NodeKind::list:
    case NodeKind::tuple: {
      Origin items;
      for (NodeId k : n.kids) items.join(of(k));
      return container_of(items);
    }
    case NodeKind::dict: {
      Origin keys, values;
      for (std::size_t k = 0; k + 1 < n.kids.size(); k += 2) {
        keys.join(of(n.kids[k]));
        values.join(of(n.kids[k + 1]));
      }
      return dict_of(keys, values);
    }
    case NodeKind::name: {
      auto it = summary_.find(n.text);
      return it != summary_.end() ? it->second : free_name(n.text);
    }
    case NodeKind::getattr: return attribute(n.kids[0], n.text);
    case NodeKind::getitem: {
      Origin obj = of(n.kids[0]);
      if (obj.computed || obj.loop || !obj.consts.empty()) return computed_origin();
      Origin r;
      if (obj.data) r.data = true;
      bool slice = ast_.at(n.kids[1]).kind == NodeKind::slice;
      if (built_container(obj)) r.join(slice ? container_of(element(obj)) : looked_up(obj));
      else if (obj.nonstr) r.nonstr = true;
      return r;
    }
    case NodeKind::call: return call(n);
    case NodeKind::filter: return filter(n);
    case NodeKind::binary: {
      const std::string& op = n.text;
      Origin l = of(n.kids[0]), r = of(n.kids[1]);
      if (op == "and" || op == "or") {
        l.join(r);
        return l;
      }
      if (name_in(op, {"==", "!=", "<", "<=", ">", ">=", "in", "not in"})) return nonstr_origin();
      // `-`, `/`, `//`, `**` never give a string; `+`, `*`, `%` may combine strings.
      bool template_text = l.computed || r.computed || !l.consts.empty() || !r.consts.empty();
      if (name_in(op, {"-", "/", "//", "**"}) && !l.computed && !r.computed) return nonstr_origin();
      if (template_text) return computed_origin();
      Origin out = nonstr_origin();
      out.data = l.data || r.data || l.loop || r.loop;  // data combined with data stays data
      if (built_container(l)) out.join(container_of(element(l)));
      if (built_container(r)) out.join(container_of(element(r)));
      return out;
    }
    case NodeKind::unary: {
      if (n.text == "not") return nonstr_origin();
      Origin o = of(n.kids[0]);
      return only_nonstr(o) ? o : computed_origin();
    }
    case NodeKind::cond_expr: {
      Origin o = of(n.kids[0]);
      o.join(n.kids[2] == kNoNode ? const_origin("") : of(n.kids[2]));
      return o;
    }
    case NodeKind::body:
    default: return computed_origin();
  }
}

}  // namespace modelgate::jinja
