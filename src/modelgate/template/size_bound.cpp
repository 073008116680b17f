#include "template/size_bound.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace modelgate::jinja {

namespace {
namespace size_bound {  // a namespace of its own: the unity build joins this file with others

using K = SizeBound::Kind;

constexpr unsigned kMaxDepth = 200;
// Nodes evaluated inside macro calls, in all: past this a macro's output is only data (a large
// body called many times would cost their product).
constexpr unsigned kMaxMacroWork = 1000000;
// A data size times a constant up to this stays linear in the data (an indent of two spaces per
// level, a separator line of 80 dashes); past it, one message costs what a large literal would.
constexpr double kDataFactor = 1000;

double cap(double v) { return std::isfinite(v) ? std::min(std::fabs(v), kSizeCap) : kSizeCap; }

SizeBound known(double v, bool sequence = false, K item_kind = K::known, double item = 0) {
  return SizeBound{K::known, cap(v), sequence, item_kind, cap(item)};
}
SizeBound of_kind(K k, bool sequence = false) { return SizeBound{k, k == K::data ? 1.0 : 0.0, sequence, K::data, 0}; }
SizeBound data(bool sequence = false) { return of_kind(K::data, sequence); }
SizeBound unbounded(bool sequence = false) { return of_kind(K::unbounded, sequence); }
SizeBound number(SizeBound b) {
  b.number = true;
  b.sequence = false;
  return b;
}
// A bound with the kind and magnitude of `b`, where `b` may be a known bound that is no sequence:
// its magnitude then covers everything inside it.
SizeBound like(const SizeBound& b) { return b.kind == K::known ? known(b.value) : of_kind(b.kind); }

// What a literal list keeps of its items (their either()): the largest, or what it holds; for data
// items, their constant factor.
double largest_item(const SizeBound& items) {
  if (items.kind == K::known) return std::max(items.value, items.item);
  return items.kind == K::data ? items.value : 0;
}

// An element of a value: a list's item, a string's character, a key or value of a dict.
SizeBound item_of(const SizeBound& b) {
  if (b.kind != K::known) return of_kind(b.kind);
  if (!b.sequence) return known(b.value);
  return b.item_kind == K::known ? known(b.item) : of_kind(b.item_kind);
}

K worst(K a, K b) { return std::max(a, b); }

bool is_zero(const SizeBound& b) { return b.kind == K::known && b.value == 0; }

// A data size scaled by more than kDataFactor, or a count of data plus a large constant, is no
// longer "the data alone".
SizeBound data_times(double coefficient, bool sequence) {
  if (coefficient > kDataFactor) return unbounded(sequence);
  SizeBound out = data(sequence);
  out.value = std::max(coefficient, 1.0);
  return out;
}

// a + b: lengths add, magnitudes add (|a - b| <= |a| + |b| too). Text plus a constant stays
// linear in the data; a count of data plus a large constant is a large count.
SizeBound sum(const SizeBound& a, const SizeBound& b) {
  const K k = worst(a.kind, b.kind);
  const bool sequence = a.sequence || b.sequence;
  SizeBound out;
  if (k == K::known) {
    out = known(a.value + b.value);
  } else if (k == K::data) {
    const bool both = a.kind == K::data && b.kind == K::data;
    const double constant = a.kind == K::known ? a.value : b.kind == K::known ? b.value : 0;
    // Text added to data does not scale it: the coefficient is the data's.
    const double coefficient = both ? a.value + b.value : a.kind == K::data ? a.value : b.value;
    out = !sequence && constant > kDataFactor ? unbounded() : data_times(coefficient, false);
  } else {
    out = unbounded();
  }
  out.sequence = sequence;
  out.item_kind = worst(a.item_kind, b.item_kind);
  out.item = std::max(a.item, b.item);
  out.number = a.number && b.number;
  return out;
}

// Either one: a conditional, `or`, `default`.
SizeBound either(const SizeBound& a, const SizeBound& b) {
  SizeBound out = sum(a, b);
  if (out.kind == K::known || (a.kind == K::data && b.kind == K::data)) out.value = std::max(a.value, b.value);
  return out;
}

// a * b: a repetition of a string or list, or a product of integers.
SizeBound product(const SizeBound& a, const SizeBound& b) {
  const bool sequence = a.sequence || b.sequence;
  const SizeBound& seq = a.sequence ? a : b;
  if (is_zero(a) || is_zero(b)) {
    SizeBound zero = known(0, sequence, seq.item_kind, seq.item);
    zero.number = a.number && b.number;
    return zero;
  }
  SizeBound out;
  if (a.kind == K::known && b.kind == K::known) {
    out = known(a.value * b.value);
  } else if (a.kind == K::data && b.kind == K::known) {
    out = data_times(a.value * b.value, false);
  } else if (b.kind == K::data && a.kind == K::known) {
    out = data_times(a.value * b.value, false);
  } else {
    out = unbounded();
  }
  out.sequence = sequence;
  out.item_kind = sequence ? seq.item_kind : K::known;
  out.item = sequence ? seq.item : 0;
  out.number = a.number && b.number;
  return out;
}

std::size_t digits(double v) { return static_cast<std::size_t>(std::log10(std::max(v, 1.0))) + 2; }

// What str() of a value makes of its size: a number's digits, a string itself, a list's items.
SizeBound as_text(const SizeBound& b) {
  SizeBound out = b;
  out.sequence = true;
  out.item_kind = K::known;
  out.item = 1;
  // A number's text is its digits, however the number was computed.
  if (b.number) return known(static_cast<double>(digits(b.kind == K::known ? b.value : kSizeCap)), true, K::known, 1);
  // A value that may be a number, a string or a list (a name from the context, an item): its text
  // is as long as the value, plus quotes and separators.
  if (!b.sequence)
    return b.kind == K::known ? known(b.value * 4 + static_cast<double>(digits(b.value)), true, K::known, 1) : out;
  if (b.kind != K::known) return out;
  if (b.item_kind == K::data) {
    // That many data items, each scaled by the items' factor: [s * 1000] * 1000 is s * 10^6.
    SizeBound t = data_times(b.value * std::max(b.item, 1.0), true);
    t.item_kind = K::known;
    t.item = 1;
    return t;
  }
  if (b.item_kind != K::known) out.kind = K::unbounded;
  else out.value = cap(b.value * (std::max(b.item, 1.0) + 4));
  return out;
}

bool is_loop_counter(const std::string& a) {
  return a == "index" || a == "index0" || a == "revindex" || a == "revindex0" || a == "length" || a == "depth" ||
         a == "depth0";
}

}  // namespace size_bound
}  // namespace

using size_bound::K;

bool format_takes_widths(std::string_view text) {
  if (text.find('*') != std::string_view::npos) return true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') continue;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i + 1);
    if (text.substr(i + 1, close == std::string_view::npos ? std::string_view::npos : close - i - 1).find('{') !=
        std::string_view::npos)
      return true;
    if (close == std::string_view::npos) break;
    i = close;
  }
  return false;
}

SizeBounds::SizeBounds(const Ast& ast, Folder& folder)
    : ast_(ast), folder_(folder), busy_(ast.nodes.size(), 0), memo_(ast.nodes.size()) {}

SizeBound SizeBounds::of(NodeId id) {
  if (id == kNoNode || static_cast<std::size_t>(id) >= ast_.nodes.size()) return size_bound::data();
  auto i = static_cast<std::size_t>(id);
  // A name bound to an expression that mentions it (set x = x ~ x in a loop) is the carried-growth
  // check's business; here it is only data.
  // Inside a macro call's evaluation a node's bound depends on the call: nothing is kept.
  const bool keep = frames_.empty();
  if (keep && memo_[i]) return *memo_[i];
  if (!keep && ++macro_work_ > size_bound::kMaxMacroWork) return size_bound::data();
  if (busy_[i] != 0 || depth_ >= size_bound::kMaxDepth) return size_bound::data();
  if (const Value* v = folder_.fold(id)) {
    switch (v->kind) {
      case Value::Kind::string: return size_bound::known(static_cast<double>(v->str.size()), true, K::known, 1);
      case Value::Kind::integer:
      case Value::Kind::boolean: return size_bound::number(size_bound::known(static_cast<double>(v->num)));
      case Value::Kind::none: return size_bound::number(size_bound::known(0));
      case Value::Kind::list: break;
    }
  }
  busy_[i] = 1;
  ++depth_;
  SizeBound b = compute(id);
  --depth_;
  busy_[i] = 0;
  // Names resolve against the bindings of the moment and are not kept; everything else is, as in
  // the folder, so that chains of sets cost one evaluation each.
  if (keep && ast_.at(id).kind != NodeKind::name) memo_[i] = b;
  return b;
}

SizeBound SizeBounds::macro_output(const Node& call, NodeId macro) {
  using namespace size_bound;
  if (macro_work_ > kMaxMacroWork || std::find(running_.begin(), running_.end(), macro) != running_.end())
    return data(true);
  const Node& m = ast_.at(macro);
  std::unordered_map<std::string, SizeBound> frame;
  std::size_t position = 0;
  for (NodeId p : ast_.at(m.kids[0]).kids) {
    const Node& param = ast_.at(p);
    NodeId given = arg(call, 1, position++, param.text.c_str());
    if (given != kNoNode) frame[param.text] = of(given);
    else if (param.kind == NodeKind::keyword) frame[param.text] = of(param.kids[0]);
    else frame[param.text] = known(0);
  }
  // Arguments past the parameters: varargs and kwargs.
  SizeBound extra = known(0), extra_named = known(0);
  double extra_count = 0, extra_named_count = 0;
  std::size_t positional = 0;
  for (std::size_t i = 1; i < call.kids.size(); ++i) {
    const Node& a = ast_.at(call.kids[i]);
    if (a.kind == NodeKind::keyword) {
      if (frame.count(a.text) == 0) extra_named = either(extra_named, of(a.kids[0])), ++extra_named_count;
    } else if (a.kind != NodeKind::star_arg && a.kind != NodeKind::dstar_arg && positional++ >= position) {
      extra = either(extra, of(call.kids[i])), ++extra_count;
    }
  }
  frame["varargs"] = known(extra_count, true, extra.kind, largest_item(extra));
  frame["kwargs"] = known(extra_named_count, true, extra_named.kind, largest_item(extra_named));
  frames_.push_back(std::move(frame));
  running_.push_back(macro);
  SizeBound out = printed(m.kids[1]);
  running_.pop_back();
  frames_.pop_back();
  return out;
}

// What a body prints: its text, its prints and both branches of its ifs; any other statement (a
// loop) prints data.
SizeBound SizeBounds::printed(NodeId body) {
  using namespace size_bound;
  SizeBound out = known(0, true, K::known, 1);
  if (body == kNoNode) return out;
  for (NodeId k : ast_.at(body).kids) {
    const Node& st = ast_.at(k);
    if (st.kind == NodeKind::text) out = sum(out, known(static_cast<double>(st.text.size()), true));
    else if (st.kind == NodeKind::print) out = sum(out, as_text(of(st.kids[0])));
    else if (st.kind == NodeKind::if_stmt) out = sum(out, sum(printed(st.kids[1]), printed(st.kids[2])));
    else if (st.kind == NodeKind::body) out = sum(out, printed(k));
    else out = sum(out, data(true));
  }
  out.sequence = true;
  out.item_kind = K::known;
  out.item = 1;
  return out;
}

SizeBound SizeBounds::name(const std::string& n) {
  if (!frames_.empty()) {
    auto it = frames_.back().find(n);
    if (it != frames_.back().end()) return it->second;
  }
  const Binding* b = folder_.binding(n);
  // The context's variables and macro parameters.
  if (b == nullptr || b->kind == Binding::Kind::unknown) return size_bound::data();
  if (b->kind == Binding::Kind::item) return size_bound::item_of(of(b->node));
  return of(b->node);
}

NodeId SizeBounds::arg(const Node& n, std::size_t first, std::size_t index, const char* keyword) const {
  std::size_t seen = 0;
  for (std::size_t i = first; i < n.kids.size(); ++i) {
    const Node& a = ast_.at(n.kids[i]);
    if (a.kind == NodeKind::keyword) {
      if (keyword != nullptr && a.text == keyword) return a.kids[0];
      continue;
    }
    if (a.kind == NodeKind::star_arg || a.kind == NodeKind::dstar_arg) continue;
    if (seen++ == index) return n.kids[i];
  }
  return kNoNode;
}

SizeBound SizeBounds::compute(NodeId id) {
  using namespace size_bound;
  const Node& n = ast_.at(id);
  switch (n.kind) {
    case NodeKind::string: return known(static_cast<double>(n.text.size()), true, K::known, 1);
    case NodeKind::integer: return number(n.flag ? known(static_cast<double>(n.ival)) : unbounded());
    case NodeKind::floating: {
      try {
        return number(known(std::stod(n.text)));
      } catch (...) {
        return number(unbounded());
      }
    }
    case NodeKind::boolean:
    case NodeKind::none: return number(known(1));
    case NodeKind::list:
    case NodeKind::tuple:
    case NodeKind::dict: {
      // Keys too: a loop over a dict yields them. The largest item covers what the items hold
      // ([[1, 1000000000]]|first|last).
      SizeBound items = known(0);
      for (NodeId k : n.kids) items = either(items, of(k));
      const double count = static_cast<double>(n.kind == NodeKind::dict ? n.kids.size() / 2 : n.kids.size());
      return known(count, true, items.kind, largest_item(items));
    }
    case NodeKind::name: return name(n.text);
    case NodeKind::getattr:
    case NodeKind::getitem: {
      NodeId obj = n.kids[0];
      if (n.kind == NodeKind::getattr && ast_.at(obj).kind == NodeKind::name) {
        const Binding* b = folder_.binding(ast_.at(obj).text + "." + n.text);
        if (b != nullptr) return b->kind == Binding::Kind::unknown ? data() : of(b->node);
        if (ast_.at(obj).text == "loop" && folder_.binding("loop") != nullptr && is_loop_counter(n.text))
          return number(data());
      }
      SizeBound base = of(obj);
      if (n.kind == NodeKind::getitem && ast_.at(n.kids[1]).kind == NodeKind::slice) return base;
      return item_of(base);
    }
    case NodeKind::concat: {
      SizeBound out = known(0, true, K::known, 1);
      for (NodeId k : n.kids) out = sum(out, as_text(of(k)));
      return out;
    }
    case NodeKind::unary:
      if (n.text == "not") return number(known(1));
      return of(n.kids[0]);
    case NodeKind::cond_expr: {
      SizeBound other = n.kids[2] == kNoNode ? known(0, true, K::known, 1) : of(n.kids[2]);
      return either(of(n.kids[0]), other);
    }
    case NodeKind::binary: return binary(n);
    case NodeKind::filter: return filter(n);
    case NodeKind::call: return call(n);
    case NodeKind::test: return number(known(1));
    case NodeKind::body: {
      // A block set's text: its text and what it prints; anything else (a loop) is data.
      SizeBound out = known(0, true, K::known, 1);
      for (NodeId k : n.kids) {
        const Node& st = ast_.at(k);
        if (st.kind == NodeKind::text) out = sum(out, known(static_cast<double>(st.text.size()), true));
        else if (st.kind == NodeKind::print) out = sum(out, as_text(of(st.kids[0])));
        else out = sum(out, data(true));
      }
      return out;
    }
    default: return data();
  }
}

SizeBound SizeBounds::binary(const Node& n) {
  using namespace size_bound;
  const std::string& op = n.text;
  if (op == "and" || op == "or") return either(of(n.kids[0]), of(n.kids[1]));
  if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=" || op == "in" ||
      op == "not in")
    return number(known(1));
  const SizeBound l = of(n.kids[0]);
  if (op == "%" && l.sequence) return percent_format(n.kids[0], {n.kids[1]});
  const SizeBound r = of(n.kids[1]);
  if (op == "+" || op == "-") return sum(l, r);
  if (op == "*") return product(l, r);
  if (op == "//" || op == "/") {
    // Division by a number of magnitude one or more does not grow anything.
    if (r.kind == K::known && r.value < 1) return l.kind == K::known ? unbounded() : of_kind(worst(l.kind, K::data));
    return l;
  }
  if (op == "%") return r.kind == K::known ? number(known(r.value)) : l;
  if (op == "**") {
    if (is_zero(r)) return number(known(1));
    if (l.kind == K::known && r.kind == K::known) return number(known(std::pow(std::max(l.value, 1.0), r.value)));
    if (l.kind == K::known && l.value <= 1) return number(known(1));
    return number(unbounded());
  }
  return data();
}

// A %-format: the text, each argument's text, and any argument a '*' width takes.
SizeBound SizeBounds::percent_format(NodeId format, const std::vector<NodeId>& args) {
  using namespace size_bound;
  SizeBound out = of(format);
  const Value* text = folder_.fold(format);
  const bool widths = text == nullptr || text->kind != Value::Kind::string || format_takes_widths(text->str);
  std::vector<NodeId> flat;
  for (NodeId a : args) {
    const Node& an = ast_.at(a);
    if (an.kind == NodeKind::tuple || an.kind == NodeKind::list) flat.insert(flat.end(), an.kids.begin(), an.kids.end());
    else flat.push_back(a);
  }
  for (NodeId a : flat) {
    if (ast_.at(a).kind == NodeKind::keyword) a = ast_.at(a).kids[0];
    const SizeBound b = of(a);
    out = sum(out, as_text(b));
    if (widths && !b.sequence) out = sum(out, b);  // a width of that many characters
  }
  out.sequence = true;
  out.item_kind = K::known;
  out.item = 1;
  return out;
}

SizeBound SizeBounds::replace(NodeId subject, NodeId old_text, NodeId new_text) {
  using namespace size_bound;
  const SizeBound s = of(subject);
  const SizeBound to = of(new_text);
  const Value* from = old_text == kNoNode ? nullptr : folder_.fold(old_text);
  const double old_len = from != nullptr && from->kind == Value::Kind::string ? static_cast<double>(from->str.size()) : 0;
  SizeBound out;
  if (s.kind == K::known && to.kind == K::known) {
    // Every occurrence (an empty old text matches between all characters) becomes the new text.
    out = known(s.value + (s.value / std::max(old_len, 1.0) + 1) * to.value);
  } else if (to.kind == K::known && (to.value <= old_len || to.value <= kDataFactor)) {
    out = of_kind(s.kind);
  } else {
    // A replacement by data: every occurrence in the subject (as many as its length) becomes
    // that much text, data times data.
    out = unbounded();
  }
  out.sequence = true;
  out.item_kind = K::known;
  out.item = 1;
  return out;
}

SizeBound SizeBounds::filter(const Node& n) {
  using namespace size_bound;
  const std::string& f = n.text;
  if (n.kids.empty() || n.kids[0] == kNoNode) return data();
  NodeId operand = n.kids[0];
  if (f == "replace") return replace(operand, arg(n, 1, 0, "old"), arg(n, 1, 1, "new"));
  if (f == "format") {
    std::vector<NodeId> args(n.kids.begin() + 1, n.kids.end());
    return percent_format(operand, args);
  }
  const SizeBound x = of(operand);
  if (f == "length" || f == "count" || f == "wordcount") return number(like(x));
  if (f == "sum") {
    if (x.kind != K::known) return of_kind(x.kind);
    SizeBound start = of(arg(n, 1, 1, "start"));
    if (arg(n, 1, 1, "start") == kNoNode) start = known(0);
    if (x.item_kind != K::known) return of_kind(worst(x.item_kind, start.kind));
    return sum(known(x.value * x.item), start);
  }
  if (f == "first" || f == "last" || f == "max" || f == "min" || f == "random") return item_of(x);
  if (f == "join") {
    NodeId sep_node = arg(n, 1, 0, "d");
    const SizeBound sep = sep_node == kNoNode ? known(0, true) : of(sep_node);
    if (x.kind == K::known && x.item_kind == K::known && sep.kind == K::known)
      return known(x.value * x.item + x.value * sep.value, true, K::known, 1);
    if (x.kind == K::unbounded || x.item_kind == K::unbounded || sep.kind == K::unbounded) return unbounded(true);
    if (x.kind == K::known && x.item_kind == K::known) return data(true);  // few data separators
    // Data joined by data: a list the size of the data, each item as long as the data.
    if (sep.kind == K::data || (x.kind == K::known && x.value > kDataFactor) ||
        (x.item_kind == K::known && x.item > kDataFactor))
      return unbounded(true);
    if (x.kind == K::known && x.item_kind == K::data) return data_times(x.value * std::max(x.item, 1.0), true);
    return data(true);
  }
  if (f == "center") {
    NodeId w = arg(n, 1, 0, "width");
    const SizeBound width = w == kNoNode ? known(80) : of(w);
    SizeBound out = either(as_text(x), width);
    out.sequence = true;
    return out;
  }
  if (f == "indent") {
    NodeId w = arg(n, 1, 0, "width");
    SizeBound width = w == kNoNode ? known(4) : of(w);
    SizeBound out = sum(as_text(x), product(as_text(x), width));
    out.sequence = true;
    return out;
  }
  if (f == "wordwrap") {
    NodeId w = arg(n, 1, 2, "wrapstring");
    SizeBound wrap = w == kNoNode ? known(1) : of(w);
    SizeBound out = sum(as_text(x), product(as_text(x), wrap));
    out.sequence = true;
    return out;
  }
  if (f == "truncate") return sum(as_text(x), known(3));
  if (f == "string" || f == "tojson" || f == "pprint" || f == "urlencode") {
    SizeBound t = as_text(x);
    return f == "urlencode" && t.kind == K::known ? known(t.value * 3, true, K::known, 1) : t;
  }
  if (f == "e" || f == "escape" || f == "forceescape" || f == "xmlattr") {
    SizeBound t = as_text(x);
    return t.kind == K::known ? known(t.value * 6, true, K::known, 1) : t;
  }
  if (f == "default" || f == "d") {
    NodeId d = arg(n, 1, 0, "default_value");
    return d == kNoNode ? x : either(x, of(d));
  }
  if (f == "batch" || f == "slice") {
    // With a fill value every group is padded to the count.
    const SizeBound count = of(arg(n, 1, 0, f == "batch" ? "linecount" : "slices"));
    if (x.kind != K::known) return of_kind(worst(x.kind, count.kind), true);
    SizeBound out = either(x, count);
    out.sequence = true;
    out.item_kind = worst(count.kind, x.item_kind);
    out.item = std::max({count.value, x.value, x.item});
    return out;
  }
  if (f == "int" || f == "float" || f == "abs" || f == "round") {
    if (x.sequence) return number(x.kind == K::known ? unbounded() : of_kind(x.kind));  // the number a text spells
    return number(like(x));
  }
  // Filters that select, reorder, convert or shorten: no larger than their operand.
  return x;
}

SizeBound SizeBounds::method(const Node& n, const std::string& m, NodeId self) {
  using namespace size_bound;
  if (m == "replace") return replace(self, arg(n, 1, 0, nullptr), arg(n, 1, 1, nullptr));
  if (m == "format") {
    std::vector<NodeId> args(n.kids.begin() + 1, n.kids.end());
    return percent_format(self, args);
  }
  const SizeBound s = of(self);
  if (m == "join") {
    const SizeBound x = of(arg(n, 1, 0, nullptr));
    if (x.kind == K::known && x.item_kind == K::known && s.kind == K::known)
      return known(x.value * x.item + x.value * s.value, true, K::known, 1);
    return of_kind(worst(worst(x.kind, x.item_kind), s.kind), true);
  }
  if (m == "center" || m == "ljust" || m == "rjust" || m == "zfill") {
    SizeBound out = either(s, of(arg(n, 1, 0, nullptr)));
    out.sequence = true;
    return out;
  }
  if (m == "split" || m == "rsplit" || m == "splitlines") {
    if (s.kind != K::known) return of_kind(s.kind, true);
    return known(s.value + 1, true, K::known, s.value);
  }
  if (m == "get") {
    NodeId d = arg(n, 1, 1, nullptr);
    return d == kNoNode ? item_of(s) : either(item_of(s), of(d));
  }
  if (m == "expandtabs") {
    // Every character may be a tab of that many columns.
    NodeId w = arg(n, 1, 0, "tabsize");
    SizeBound out = product(as_text(s), w == kNoNode ? known(8) : of(w));
    out.sequence = true;
    return out;
  }
  if (m == "count" || m == "find" || m == "rfind" || m == "index" || m == "rindex") return number(like(s));
  return s;
}

SizeBound SizeBounds::call(const Node& n) {
  using namespace size_bound;
  const Node& c = ast_.at(n.kids[0]);
  if (c.kind == NodeKind::getattr) return method(n, c.text, c.kids[0]);
  if (c.kind == NodeKind::name && folder_.macro(c.text) != kNoNode) return macro_output(n, folder_.macro(c.text));
  if (c.kind == NodeKind::name && c.text == "dict") {
    // dict(k=v): a dict of its keyword values.
    SizeBound items = known(0);
    for (std::size_t i = 1; i < n.kids.size(); ++i)
      items = either(items, of(ast_.at(n.kids[i]).kind == NodeKind::keyword ? ast_.at(n.kids[i]).kids[0] : n.kids[i]));
    return known(static_cast<double>(n.kids.size() - 1), true, items.kind, largest_item(items));
  }
  if (c.kind != NodeKind::name || c.text != "range" || n.kids.size() < 2) return data();
  SizeBound span = known(0);
  for (std::size_t i = 1; i < n.kids.size() && i < 3; ++i) span = sum(span, of(n.kids[i]));
  if (span.kind != K::known) return of_kind(span.kind, true);
  const double largest = span.value;
  // range(start, stop, step) has at most |start| + |stop| items; a step only shortens it.
  return known(largest, true, K::known, largest);
}

}  // namespace modelgate::jinja
