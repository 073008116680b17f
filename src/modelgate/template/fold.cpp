#include "template/fold.h"

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

// Splits UTF-8 text into code points (each as its bytes).
std::vector<std::string> code_points(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    len = std::min(len, s.size() - i);
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string ascii_map(std::string s, int (*f)(int)) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x80) c = static_cast<char>(f(static_cast<unsigned char>(c)));
  return s;
}

std::string title_case(std::string s) {
  bool prev_letter = false;
  for (char& c : s) {
    auto u = static_cast<unsigned char>(c);
    bool letter = std::isalpha(u) != 0;
    if (letter) c = static_cast<char>(prev_letter ? std::tolower(u) : std::toupper(u));
    prev_letter = letter;
  }
  return s;
}

std::string strip_chars(const std::string& s, const std::string& chars, bool left, bool right) {
  auto strip = [&](char c) {
    return chars.empty() ? std::isspace(static_cast<unsigned char>(c)) != 0 : chars.find(c) != std::string::npos;
  };
  std::size_t b = 0, e = s.size();
  if (left)
    while (b < e && strip(s[b])) ++b;
  if (right)
    while (e > b && strip(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::optional<std::string> replace_all(std::size_t max_string, const std::string& s, const std::string& from, const std::string& to,
                                       std::int64_t count) {
  std::string out;
  if (from.empty()) return std::nullopt;
  std::size_t pos = 0;
  std::int64_t done = 0;
  for (;;) {
    std::size_t hit = (count < 0 || done < count) ? s.find(from, pos) : std::string::npos;
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out += to;
    if (out.size() > max_string) return std::nullopt;
    pos = hit + from.size();
    ++done;
  }
  out.append(s, pos);
  return out;
}

// Python's %-formatting for the conversions payloads use: %s %d %i %c %%.
std::optional<std::string> percent_format(std::size_t max_string, const std::string& fmt, const std::vector<const Value*>& args) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) return std::nullopt;
    char conv = fmt[i];
    if (conv == '%') {
      out += '%';
      continue;
    }
    if (next >= args.size()) return std::nullopt;
    const Value& a = *args[next++];
    if (conv == 's') {
      auto s = Folder::to_str(a);
      if (!s) return std::nullopt;
      out += *s;
    } else if (conv == 'd' || conv == 'i') {
      if (a.kind != Value::Kind::integer && a.kind != Value::Kind::boolean) return std::nullopt;
      out += std::to_string(a.num);
    } else if (conv == 'c') {
      if (a.kind == Value::Kind::string && code_points(a.str).size() == 1) {
        out += a.str;
      } else if (a.kind == Value::Kind::integer && a.num >= 0 && a.num < 0x80) {
        out += static_cast<char>(a.num);
      } else {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
    if (out.size() > max_string) return std::nullopt;
  }
  if (next != args.size()) return std::nullopt;
  return out;
}

// str.format with automatic ({}) or numbered ({0}) fields only.
std::optional<std::string> brace_format(std::size_t max_string, const std::string& fmt, const std::vector<const Value*>& args) {
  std::string out;
  std::size_t auto_index = 0;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}' ) {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return std::nullopt;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    std::size_t close = fmt.find('}', i);
    if (close == std::string::npos) return std::nullopt;
    std::string field = fmt.substr(i + 1, close - i - 1);
    std::size_t index = 0;
    if (field.empty()) {
      index = auto_index++;
    } else if (field.size() < 4 && std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      index = std::stoul(field);
    } else {
      return std::nullopt;
    }
    if (index >= args.size()) return std::nullopt;
    auto s = Folder::to_str(*args[index]);
    if (!s) return std::nullopt;
    out += *s;
    if (out.size() > max_string) return std::nullopt;
    i = close;
  }
  return out;
}

// Python slice semantics over a sequence of `n` elements; returns the selected indices.
std::optional<std::vector<std::size_t>> slice_indices(std::size_t max_items, std::size_t n, const Value* start, const Value* stop,
                                                      const Value* step, bool has_start, bool has_stop,
                                                      bool has_step) {
  auto as_int = [](const Value* v, std::int64_t& out) {
    if (v == nullptr || v->kind != Value::Kind::integer) return false;
    out = v->num;
    return true;
  };
  std::int64_t st = 1;
  if (has_step && !as_int(step, st)) return std::nullopt;
  if (st == 0) return std::nullopt;
  auto len = static_cast<std::int64_t>(n);
  auto clamp = [&](std::int64_t v, bool is_start) {
    if (v < 0) v += len;
    if (st > 0) return std::clamp<std::int64_t>(v, 0, len);
    (void)is_start;
    return std::clamp<std::int64_t>(v, -1, len - 1);
  };
  std::int64_t b = st > 0 ? 0 : len - 1, e = st > 0 ? len : -1;
  std::int64_t tmp = 0;
  if (has_start) {
    if (!as_int(start, tmp)) return std::nullopt;
    b = clamp(tmp, true);
  }
  if (has_stop) {
    if (!as_int(stop, tmp)) return std::nullopt;
    e = clamp(tmp, false);
  }
  std::vector<std::size_t> out;
  for (std::int64_t i = b; st > 0 ? i < e : i > e; i += st) {
    if (i < 0 || i >= len) break;
    out.push_back(static_cast<std::size_t>(i));
    if (out.size() > max_items) return std::nullopt;
  }
  return out;
}

bool checked_mul(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

}  // namespace

Folder::Folder(const Ast& ast, const Limits& limits) : ast_(ast), lim_(limits), state_(ast.nodes.size(), 0), memo_(ast.nodes.size()) {}

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
  if (b == nullptr || b->kind == Binding::Kind::unknown) return std::nullopt;
  const Value* v = b->kind == Binding::Kind::expr ? fold(b->node) : fold(b->node);
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
    if (k->num <= 0) return make_string("");
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
    auto s = percent_format(lim_.max_template_fold_string, l->str, args);
    if (!s) return std::nullopt;
    return make_string(std::move(*s));
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
    const Value* parts[3] = {nullptr, nullptr, nullptr};
    bool has[3] = {false, false, false};
    for (int i = 0; i < 3; ++i) {
      if (key.kids[static_cast<std::size_t>(i)] == kNoNode) continue;
      has[i] = true;
      parts[i] = fold(key.kids[static_cast<std::size_t>(i)]);
      if (parts[i] == nullptr) return std::nullopt;
    }
    auto idx = slice_indices(lim_.max_template_fold_string, len, parts[0], parts[1], parts[2], has[0], has[1], has[2]);
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
  if (name == "format") {
    auto r = brace_format(lim_.max_template_fold_string, s, args);
    return r ? std::optional<Value>(make_string(*r)) : std::nullopt;
  }
  if (name == "lower" || name == "casefold") return make_string(ascii_map(s, [](int c) { return std::tolower(c); }));
  if (name == "upper") return make_string(ascii_map(s, [](int c) { return std::toupper(c); }));
  if (name == "swapcase")
    return make_string(ascii_map(s, [](int c) { return std::isupper(c) ? std::tolower(c) : std::toupper(c); }));
  if (name == "title") return make_string(title_case(s));
  if (name == "capitalize") {
    std::string out = ascii_map(s, [](int c) { return std::tolower(c); });
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return make_string(std::move(out));
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    const std::string* chars = str_arg(0);
    if (!args.empty() && chars == nullptr) return std::nullopt;
    return make_string(strip_chars(s, chars ? *chars : std::string(), name != "rstrip", name != "lstrip"));
  }
  if (name == "replace") {
    const std::string* from = str_arg(0);
    const std::string* to = str_arg(1);
    if (from == nullptr || to == nullptr) return std::nullopt;
    std::int64_t count = -1;
    if (args.size() == 3) {
      if (args[2]->kind != K::integer) return std::nullopt;
      count = args[2]->num;
    }
    auto r = replace_all(lim_.max_template_fold_string, s, *from, *to, count);
    return r ? std::optional<Value>(make_string(*r)) : std::nullopt;
  }
  if (name == "removeprefix" || name == "removesuffix") {
    const std::string* a = str_arg(0);
    if (a == nullptr) return std::nullopt;
    if (name == "removeprefix" && s.rfind(*a, 0) == 0) return make_string(s.substr(a->size()));
    if (name == "removesuffix" && s.size() >= a->size() && s.compare(s.size() - a->size(), a->size(), *a) == 0)
      return make_string(s.substr(0, s.size() - a->size()));
    return self;
  }
  if (name == "split") {
    const std::string* sep = str_arg(0);
    if (sep == nullptr || sep->empty()) return std::nullopt;
    Value v;
    v.kind = K::list;
    std::size_t pos = 0;
    for (;;) {
      std::size_t hit = s.find(*sep, pos);
      v.items.push_back(make_string(s.substr(pos, hit == std::string::npos ? std::string::npos : hit - pos)));
      if (v.items.size() > lim_.max_template_fold_items) return std::nullopt;
      if (hit == std::string::npos) break;
      pos = hit + sep->size();
    }
    return v;
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
  if (f == "format" && in->kind == K::string) {
    auto s = percent_format(lim_.max_template_fold_string, in->str, args);
    return s ? std::optional<Value>(make_string(*s)) : std::nullopt;
  }
  if (f == "replace" && in->kind == K::string) return method(*in, "replace", args);
  if ((f == "lower" || f == "upper" || f == "title" || f == "capitalize") && in->kind == K::string && args.empty())
    return method(*in, f, args);
  if (f == "trim" && in->kind == K::string) return method(*in, "strip", args);
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
