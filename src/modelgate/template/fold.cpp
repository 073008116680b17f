#include "template/fold.h"

#include "template/python_str.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace modelgate::jinja {

namespace {

Value make_string(std::string s) {
  Value v;
  v.kind = Value::Kind::string;
  v.str = std::move(s);
  return v;
}
Value make_int(std::int64_t n) {
  Value v;
  v.kind = Value::Kind::integer;
  v.num = n;
  return v;
}

std::optional<Value> bounded(std::string s, std::size_t max_string) {
  if (s.size() > max_string) return std::nullopt;
  return make_string(std::move(s));
}

using pystr::code_points;

pystr::FormatArg format_arg(const Value& v) {
  pystr::FormatArg a;
  a.text = Folder::to_str(v);
  a.is_string = v.kind == Value::Kind::string;
  if (v.kind == Value::Kind::integer || v.kind == Value::Kind::boolean) a.integer = v.num;
  return a;
}

std::vector<pystr::FormatArg> format_args(const std::vector<const Value*>& args) {
  std::vector<pystr::FormatArg> out;
  for (const Value* v : args) out.push_back(format_arg(*v));
  return out;
}

std::optional<Value> string_or_none(std::optional<std::string> s, std::size_t max_string) {
  if (!s) return std::nullopt;
  return bounded(std::move(*s), max_string);
}

std::optional<Value> list_or_none(std::optional<std::vector<std::string>> parts) {
  if (!parts) return std::nullopt;
  Value v;
  v.kind = Value::Kind::list;
  for (auto& p : *parts) v.items.push_back(make_string(std::move(p)));
  return v;
}

bool checked_mul(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

}  // namespace

Folder::Folder(const Ast& ast, const Limits& limits)
    : ast_(ast), lim_(limits), state_(ast.nodes.size(), 0), memo_(ast.nodes.size()) {}

std::optional<std::string> Folder::to_str(const Value& v) {
  switch (v.kind) {
    case Value::Kind::string: return v.str;
    case Value::Kind::integer: return std::to_string(v.num);
    case Value::Kind::boolean: return std::string(v.num != 0 ? "True" : "False");
    case Value::Kind::none: return std::string("None");
    case Value::Kind::list: return std::nullopt;
  }
  return std::nullopt;
}

void Folder::bind(const std::string& name, Binding b) {
  current_[name] = b;
  auto& h = history_[name];
  if (h.size() < 64) h.push_back(b);
}

const Binding* Folder::binding(const std::string& name) const {
  auto it = current_.find(name);
  return it == current_.end() ? nullptr : &it->second;
}

const std::vector<Binding>& Folder::history(const std::string& name) const {
  static const std::vector<Binding> none;
  auto it = history_.find(name);
  return it == history_.end() ? none : it->second;
}

void Folder::define_macro(const std::string& name, NodeId m) { macros_[name] = m; }

NodeId Folder::macro(const std::string& name) const {
  auto it = macros_.find(name);
  return it == macros_.end() ? kNoNode : it->second;
}

const Value* Folder::fold(NodeId id) {
  if (id < 0 || static_cast<std::size_t>(id) >= ast_.nodes.size()) return nullptr;
  auto i = static_cast<std::size_t>(id);
  if (state_[i] == 2) return memo_[i] ? &*memo_[i] : nullptr;
  if (state_[i] == 1 || depth_ >= lim_.max_template_fold_depth) return nullptr;  // a cycle, or too deep
  state_[i] = 1;
  ++depth_;
  std::optional<Value> v = compute(id);
  --depth_;
  // Names resolve against the bindings of the moment; they are not cached.
  if (ast_.at(id).kind == NodeKind::name) {
    state_[i] = 0;
    memo_[i] = std::move(v);
    return memo_[i] ? &*memo_[i] : nullptr;
  }
  memo_[i] = std::move(v);
  state_[i] = 2;
  return memo_[i] ? &*memo_[i] : nullptr;
}

std::optional<Value> Folder::fold_name(const std::string& name) {
  const Binding* b = binding(name);
  if (b == nullptr || b->kind == Binding::Kind::unknown || b->kind == Binding::Kind::item) return std::nullopt;
  const Value* v = fold(b->node);
  if (v == nullptr) return std::nullopt;
  return *v;
}

std::optional<Value> Folder::fold_body(NodeId body) {
  std::string out;
  for (NodeId k : ast_.at(body).kids) {
    const Node& n = ast_.at(k);
    if (n.kind == NodeKind::text) {
      out += n.text;
    } else if (n.kind == NodeKind::print) {
      const Value* v = fold(ast_.kid(k, 0));
      if (v == nullptr) return std::nullopt;
      auto s = to_str(*v);
      if (!s) return std::nullopt;
      out += *s;
    } else {
      return std::nullopt;
    }
    if (out.size() > lim_.max_template_fold_string) return std::nullopt;
  }
  return make_string(std::move(out));
}

std::optional<Value> Folder::compute(NodeId id) {
  const Node& n = ast_.at(id);
  switch (n.kind) {
    case NodeKind::string:
      if (n.flag) return std::nullopt;  // holds an escape we did not decode
      return make_string(n.text);
    case NodeKind::integer:
      if (!n.flag) return std::nullopt;
      return make_int(n.ival);
    case NodeKind::boolean: {
      Value v;
      v.kind = Value::Kind::boolean;
      v.num = n.ival;
      return v;
    }
    case NodeKind::none: return Value{};
    case NodeKind::list:
    case NodeKind::tuple: {
      if (n.kids.size() > lim_.max_template_fold_items) return std::nullopt;
      Value v;
      v.kind = Value::Kind::list;
      for (NodeId k : n.kids) {
        const Value* item = fold(k);
        if (item == nullptr) return std::nullopt;
        v.items.push_back(*item);
      }
      return v;
    }
    case NodeKind::name: return fold_name(n.text);
    case NodeKind::getattr: {
      // Namespace state: ns.attr set with {% set ns.attr = ... %} or namespace(attr=...).
      NodeId obj = ast_.kid(id, 0);
      if (ast_.at(obj).kind != NodeKind::name) return std::nullopt;
      return fold_name(ast_.at(obj).text + "." + n.text);
    }
    case NodeKind::concat: {
      std::string out;
      for (NodeId k : n.kids) {
        const Value* v = fold(k);
        if (v == nullptr) return std::nullopt;
        auto s = to_str(*v);
        if (!s) return std::nullopt;
        out += *s;
        if (out.size() > lim_.max_template_fold_string) return std::nullopt;
      }
      return make_string(std::move(out));
    }
    case NodeKind::binary: return fold_binary(n);
    case NodeKind::filter: return fold_filter(n);
    case NodeKind::call: return fold_call(n);
    case NodeKind::getitem: return fold_getitem(n);
    case NodeKind::cond_expr: {
      const Value* test = fold(n.kids[1]);
      if (test != nullptr && test->kind == Value::Kind::boolean) {
        if (test->num != 0) {
          const Value* v = fold(n.kids[0]);
          return v ? std::optional<Value>(*v) : std::nullopt;
        }
        if (n.kids[2] == kNoNode) return make_string("");
        const Value* v = fold(n.kids[2]);
        return v ? std::optional<Value>(*v) : std::nullopt;
      }
      return std::nullopt;
    }
    case NodeKind::body: return fold_body(id);
    default: return std::nullopt;
  }
}

std::optional<Value> Folder::fold_binary(const Node& n) {
  const Value* l = fold(n.kids[0]);
  const Value* r = fold(n.kids[1]);
  if (l == nullptr || r == nullptr) return std::nullopt;
  using K = Value::Kind;
  const std::string& op = n.text;
  if (op == "+") {
    if (l->kind == K::string && r->kind == K::string) return bounded(l->str + r->str, lim_.max_template_fold_string);
    if (l->kind == K::integer && r->kind == K::integer) {
      std::int64_t out;
      if (__builtin_add_overflow(l->num, r->num, &out)) return std::nullopt;
      return make_int(out);
    }
    if (l->kind == K::list && r->kind == K::list && l->items.size() + r->items.size() <= lim_.max_template_fold_items) {
      Value v = *l;
      v.items.insert(v.items.end(), r->items.begin(), r->items.end());
      return v;
    }
    return std::nullopt;
  }
  if (op == "-" && l->kind == K::integer && r->kind == K::integer) {
    std::int64_t out;
    if (__builtin_sub_overflow(l->num, r->num, &out)) return std::nullopt;
    return make_int(out);
  }
  if (op == "*") {
    if (l->kind == K::integer && r->kind == K::integer) {
      std::int64_t out;
      if (!checked_mul(l->num, r->num, out)) return std::nullopt;
      return make_int(out);
    }
    const Value* s = l->kind == K::string ? l : r->kind == K::string ? r : nullptr;
    const Value* k = l->kind == K::integer ? l : r->kind == K::integer ? r : nullptr;
    if (s == nullptr || k == nullptr) return std::nullopt;
    if (k->num <= 0 || s->str.empty()) return make_string("");  // '' * 10**16 is '' at once
    std::int64_t total;
    if (!checked_mul(static_cast<std::int64_t>(s->str.size()), k->num, total) ||
        total > static_cast<std::int64_t>(lim_.max_template_fold_string))
      return std::nullopt;
    std::string out;
    for (std::int64_t i = 0; i < k->num; ++i) out += s->str;
    return make_string(std::move(out));
  }
  if (op == "%" && l->kind == K::string) {
    std::vector<const Value*> args;
    if (r->kind == K::list)
      for (const auto& item : r->items) args.push_back(&item);
    else
      args.push_back(r);
    return string_or_none(pystr::percent_format(l->str, format_args(args), lim_.max_template_fold_string), lim_.max_template_fold_string);
  }
  if (op == "**" && l->kind == K::integer && r->kind == K::integer && r->num >= 0 && r->num < 64) {
    std::int64_t out = 1;
    for (std::int64_t i = 0; i < r->num; ++i)
      if (!checked_mul(out, l->num, out)) return std::nullopt;
    return make_int(out);
  }
  if (op == "//" && l->kind == K::integer && r->kind == K::integer && r->num != 0 &&
      !(l->num == std::numeric_limits<std::int64_t>::min() && r->num == -1)) {
    std::int64_t q = l->num / r->num;
    if ((l->num % r->num != 0) && ((l->num < 0) != (r->num < 0))) --q;
    return make_int(q);
  }
  return std::nullopt;
}

std::optional<Value> Folder::fold_getitem(const Node& n) {
  const Value* obj = fold(n.kids[0]);
  if (obj == nullptr) return std::nullopt;
  const Node& key = ast_.at(n.kids[1]);
  bool is_string = obj->kind == Value::Kind::string;
  if (!is_string && obj->kind != Value::Kind::list) return std::nullopt;
  std::vector<std::string> cps;
  if (is_string) cps = code_points(obj->str);
  std::size_t len = is_string ? cps.size() : obj->items.size();
  if (key.kind == NodeKind::slice) {
    std::int64_t bounds[3] = {0, 0, 0};
    const std::int64_t* given[3] = {nullptr, nullptr, nullptr};
    for (std::size_t i = 0; i < 3; ++i) {
      if (key.kids[i] == kNoNode) continue;
      const Value* part = fold(key.kids[i]);
      if (part == nullptr) return std::nullopt;
      if (part->kind == Value::Kind::none) continue;
      if (part->kind != Value::Kind::integer) return std::nullopt;
      bounds[i] = part->num;
      given[i] = &bounds[i];
    }
    auto idx = pystr::slice_indices(len, given[0], given[1], given[2], lim_.max_template_fold_string);
    if (!idx) return std::nullopt;
    Value v;
    v.kind = obj->kind;
    for (std::size_t i : *idx) {
      if (is_string) v.str += cps[i];
      else v.items.push_back(obj->items[i]);
    }
    return v;
  }
  const Value* k = fold(n.kids[1]);
  if (k == nullptr || k->kind != Value::Kind::integer) return std::nullopt;
  std::int64_t i = k->num < 0 ? k->num + static_cast<std::int64_t>(len) : k->num;
  if (i < 0 || i >= static_cast<std::int64_t>(len)) return std::nullopt;
  if (is_string) return make_string(cps[static_cast<std::size_t>(i)]);
  return obj->items[static_cast<std::size_t>(i)];
}

std::optional<Value> Folder::method(const Value& self, const std::string& name,
                                    const std::vector<const Value*>& args) {
  using K = Value::Kind;
  auto str_arg = [&](std::size_t i) -> const std::string* {
    return i < args.size() && args[i]->kind == K::string ? &args[i]->str : nullptr;
  };
  if (name == "join" && self.kind == K::string && args.size() == 1) {
    std::vector<std::string> parts;
    if (args[0]->kind == K::list) {
      for (const auto& item : args[0]->items) {
        if (item.kind != K::string) return std::nullopt;
        parts.push_back(item.str);
      }
    } else if (args[0]->kind == K::string) {
      parts = code_points(args[0]->str);
    } else {
      return std::nullopt;
    }
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i) out += self.str;
      out += parts[i];
      if (out.size() > lim_.max_template_fold_string) return std::nullopt;
    }
    return make_string(std::move(out));
  }
  if (self.kind != K::string) return std::nullopt;
  const std::string& s = self.str;
  auto int_arg = [&](std::size_t i, std::int64_t& out) {
    if (i >= args.size() || args[i]->kind != K::integer) return false;
    out = args[i]->num;
    return true;
  };
  if (name == "format") return string_or_none(pystr::brace_format(s, format_args(args), lim_.max_template_fold_string), lim_.max_template_fold_string);
  if (!args.empty() && (name == "lower" || name == "casefold" || name == "upper" || name == "swapcase" ||
                        name == "title" || name == "capitalize"))
    return std::nullopt;
  if (name == "lower" || name == "casefold") return string_or_none(pystr::lower(s), lim_.max_template_fold_string);
  if (name == "upper") return string_or_none(pystr::upper(s), lim_.max_template_fold_string);
  if (name == "swapcase") return string_or_none(pystr::swapcase(s), lim_.max_template_fold_string);
  if (name == "title") return string_or_none(pystr::title(s), lim_.max_template_fold_string);
  if (name == "capitalize") return string_or_none(pystr::capitalize(s), lim_.max_template_fold_string);
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    if (args.size() > 1) return std::nullopt;
    std::optional<std::string> chars;
    if (!args.empty()) {
      if (args[0]->kind == K::string) chars = args[0]->str;
      else if (args[0]->kind != K::none) return std::nullopt;
    }
    return string_or_none(pystr::strip(s, chars, name != "rstrip", name != "lstrip"), lim_.max_template_fold_string);
  }
  if (name == "replace") {
    const std::string* from = str_arg(0);
    const std::string* to = str_arg(1);
    std::int64_t count = -1;
    if (from == nullptr || to == nullptr || args.size() > 3 || (args.size() == 3 && !int_arg(2, count)))
      return std::nullopt;
    return string_or_none(pystr::replace(s, *from, *to, count, lim_.max_template_fold_string), lim_.max_template_fold_string);
  }
  if (name == "center" || name == "ljust" || name == "rjust") {
    std::int64_t width = 0;
    if (args.empty() || args.size() > 2 || !int_arg(0, width)) return std::nullopt;
    std::string fill = " ";
    if (args.size() == 2) {
      if (str_arg(1) == nullptr) return std::nullopt;
      fill = *str_arg(1);
    }
    return string_or_none(pystr::pad(s, width, fill, name[0], lim_.max_template_fold_string), lim_.max_template_fold_string);
  }
  if (name == "zfill") {
    std::int64_t width = 0;
    if (args.size() != 1 || !int_arg(0, width)) return std::nullopt;
    return string_or_none(pystr::zfill(s, width, lim_.max_template_fold_string), lim_.max_template_fold_string);
  }
  if (name == "removeprefix" || name == "removesuffix") {
    const std::string* a = str_arg(0);
    if (a == nullptr || args.size() != 1) return std::nullopt;
    if (name == "removeprefix" && s.rfind(*a, 0) == 0) return make_string(s.substr(a->size()));
    if (name == "removesuffix" && s.size() >= a->size() && s.compare(s.size() - a->size(), a->size(), *a) == 0)
      return make_string(s.substr(0, s.size() - a->size()));
    return self;
  }
  if (name == "split" || name == "rsplit") {
    const std::string* sep = str_arg(0);
    std::int64_t maxsplit = -1;
    if (sep == nullptr || args.size() > 2 || (args.size() == 2 && !int_arg(1, maxsplit))) return std::nullopt;
    return list_or_none(pystr::split(s, *sep, maxsplit, name == "rsplit", lim_.max_template_fold_items));
  }
  if (name == "partition" || name == "rpartition") {
    const std::string* sep = str_arg(0);
    if (sep == nullptr || args.size() != 1) return std::nullopt;
    return list_or_none(pystr::partition(s, *sep, name == "rpartition"));
  }
  return std::nullopt;
}

std::optional<Value> Folder::fold_call(const Node& n) {
  NodeId callee = n.kids[0];
  const Node& c = ast_.at(callee);
  std::vector<const Value*> args;
  for (std::size_t i = 1; i < n.kids.size(); ++i) {
    if (ast_.at(n.kids[i]).kind == NodeKind::keyword || ast_.at(n.kids[i]).kind == NodeKind::star_arg ||
        ast_.at(n.kids[i]).kind == NodeKind::dstar_arg)
      return std::nullopt;
    const Value* v = fold(n.kids[i]);
    if (v == nullptr) return std::nullopt;
    args.push_back(v);
  }
  if (c.kind == NodeKind::getattr) {
    const Value* self = fold(c.kids[0]);
    if (self == nullptr) return std::nullopt;
    return method(*self, c.text, args);
  }
  if (c.kind == NodeKind::name) {
    NodeId m = macro(c.text);
    if (m != kNoNode && args.empty()) return fold_body(ast_.kid(m, 1));
  }
  return std::nullopt;
}

std::optional<Value> Folder::fold_filter(const Node& n) {
  using K = Value::Kind;
  if (n.kids.empty() || n.kids[0] == kNoNode) return std::nullopt;
  const Value* in = fold(n.kids[0]);
  if (in == nullptr) return std::nullopt;
  std::vector<const Value*> args;
  std::vector<std::pair<std::string, const Value*>> kwargs;
  for (std::size_t i = 1; i < n.kids.size(); ++i) {
    const Node& a = ast_.at(n.kids[i]);
    if (a.kind == NodeKind::star_arg || a.kind == NodeKind::dstar_arg) return std::nullopt;
    if (a.kind == NodeKind::keyword) {
      const Value* v = fold(a.kids[0]);
      if (v == nullptr) return std::nullopt;
      kwargs.emplace_back(a.text, v);
      continue;
    }
    const Value* v = fold(n.kids[i]);
    if (v == nullptr) return std::nullopt;
    args.push_back(v);
  }
  const std::string& f = n.text;
  if (f == "join") {
    if (!kwargs.empty() && !(kwargs.size() == 1 && kwargs[0].first == "d")) return std::nullopt;
    Value sep = make_string("");
    if (!args.empty()) sep = *args[0];
    if (!kwargs.empty()) sep = *kwargs[0].second;
    if (sep.kind != K::string) return std::nullopt;
    if (in->kind == K::list) {
      std::string out;
      for (std::size_t i = 0; i < in->items.size(); ++i) {
        auto s = to_str(in->items[i]);
        if (!s) return std::nullopt;
        if (i) out += sep.str;
        out += *s;
        if (out.size() > lim_.max_template_fold_string) return std::nullopt;
      }
      return make_string(std::move(out));
    }
    if (in->kind == K::string) return method(sep, "join", {in});
    return std::nullopt;
  }
  if (!kwargs.empty()) return std::nullopt;
  if (f == "string") {
    auto s = to_str(*in);
    return s ? std::optional<Value>(make_string(*s)) : std::nullopt;
  }
  if (f == "format" && in->kind == K::string)
    return string_or_none(pystr::percent_format(in->str, format_args(args), lim_.max_template_fold_string), lim_.max_template_fold_string);
  if (f == "replace" && in->kind == K::string) return method(*in, "replace", args);
  if ((f == "lower" || f == "upper" || f == "capitalize") && in->kind == K::string && args.empty())
    return method(*in, f, args);
  if (f == "title" && in->kind == K::string && args.empty()) return string_or_none(pystr::jinja_title(in->str), lim_.max_template_fold_string);
  if (f == "trim" && in->kind == K::string) return method(*in, "strip", args);
  if (f == "center" && in->kind == K::string && args.size() <= 1) {
    Value width = make_int(80);
    return method(*in, "center", {args.empty() ? &width : args[0]});
  }
  if (f == "reverse") {
    if (in->kind == K::string) {
      auto cps = code_points(in->str);
      std::string out;
      for (auto it = cps.rbegin(); it != cps.rend(); ++it) out += *it;
      return make_string(std::move(out));
    }
    if (in->kind == K::list) {
      Value v = *in;
      std::reverse(v.items.begin(), v.items.end());
      return v;
    }
    return std::nullopt;
  }
  if (f == "list") {
    if (in->kind == K::list) return *in;
    if (in->kind != K::string) return std::nullopt;
    Value v;
    v.kind = K::list;
    for (auto& cp : code_points(in->str)) v.items.push_back(make_string(cp));
    if (v.items.size() > lim_.max_template_fold_items) return std::nullopt;
    return v;
  }
  if (f == "first" || f == "last") {
    if (in->kind == K::string) {
      auto cps = code_points(in->str);
      if (cps.empty()) return std::nullopt;
      return make_string(f == "first" ? cps.front() : cps.back());
    }
    if (in->kind == K::list && !in->items.empty()) return f == "first" ? in->items.front() : in->items.back();
    return std::nullopt;
  }
  if (f == "int" && in->kind == K::string && !in->str.empty() && in->str.size() < 18 &&
      std::all_of(in->str.begin(), in->str.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return make_int(std::stoll(in->str));
  if (f == "int" && in->kind == K::integer) return *in;
  if ((f == "d" || f == "default") && in->kind != K::none) return *in;
  return std::nullopt;
}

}  // namespace modelgate::jinja
