#include "pickle/load_time_sizes.h"

#include <algorithm>
#include <string_view>

#include "pickle/numpy_state_checks.h"

namespace modelgate::pickle {
namespace {

using NumberIs = LoadTimeNumber::Is;

const Node* value_node(const ValueGraph& g, const Value& v) {
  return v.has_node() ? &g.node(static_cast<std::uint32_t>(v.u)) : nullptr;
}

LoadTimeNumber number_known(std::uint64_t value, bool negative = false) { return {NumberIs::known, value, negative}; }
LoadTimeNumber not_a_number() { return {NumberIs::not_integer, 0, false}; }
LoadTimeNumber number_unknown() { return {NumberIs::unknown, 0, false}; }

bool is_scalar_function(std::string_view name) {
  return name == "numpy.core.multiarray.scalar" || name == "numpy._core.multiarray.scalar";
}

// numpy's scalar types whose value is an integer (each has __index__; numpy.bool_ converts by int()).
bool is_numpy_integer_type(std::string_view name) {
  static constexpr std::string_view kTypes[] = {
      "bool_", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "intc", "uintc",
      "intp", "uintp", "int_", "uint", "longlong", "ulonglong", "short", "ushort", "byte", "ubyte"};
  if (!name.starts_with("numpy.")) return false;
  name.remove_prefix(6);
  return std::find(std::begin(kTypes), std::end(kTypes), name) != std::end(kTypes);
}

// Calls whose result is never an integer: the containers, text and byte constructors, floats.
bool makes_no_integer(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "builtins.bytes", "builtins.bytearray", "builtins.str", "builtins.list", "builtins.tuple", "builtins.set",
      "builtins.frozenset", "builtins.dict", "builtins.float", "builtins.complex", "builtins.range",
      "builtins.slice", "_codecs.encode", "collections.OrderedDict", "collections.Counter",
      "collections.defaultdict", "collections.deque", "numpy.dtype", "numpy.core.multiarray._reconstruct",
      "numpy._core.multiarray._reconstruct", "numpy.float16", "numpy.float32", "numpy.float64", "numpy.half",
      "numpy.single", "numpy.double", "numpy.str_", "numpy.bytes_"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

LoadTimeNumber decode_integer(std::string_view bytes, const NumpyItemType& type) {
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < type.size; ++i) {
    const std::size_t at = type.big_endian ? i : type.size - 1 - i;
    u = (u << 8) | static_cast<unsigned char>(bytes[at]);
  }
  if (type.kind == 'b') return number_known(u != 0);
  if (type.kind == 'i' && (u >> (type.size * 8 - 1)) != 0) {
    const std::uint64_t mask = type.size == 8 ? UINT64_MAX : (std::uint64_t{1} << (type.size * 8)) - 1;
    return number_known(((~u) & mask) + 1, true);  // two's complement: the magnitude
  }
  return number_known(u);
}

// numpy's scalar(dtype, data): the item's bytes in the dtype's byte order. A str is the latin-1
// encoding of its characters (numpy encodes it so), spelt here in UTF-8.
LoadTimeNumber numpy_scalar_number(const ValueGraph& g, const Node& args) {
  if (args.items.size() < 2) return number_unknown();
  auto type = numpy_item_type(g, args.items[0]);
  if (!type) return number_unknown();
  if (std::string_view("iub").find(type->kind) == std::string_view::npos) return not_a_number();
  if (type->size == 0 || type->size > 8) return number_unknown();
  const Value& data = args.items[1];
  if (data.kind != Kind::bytes && data.kind != Kind::string) return number_unknown();
  std::string_view text = g.text_of(data);
  std::string latin1;
  if (data.kind == Kind::string) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x80) {
        latin1 += static_cast<char>(c);
      } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size()) {
        latin1 += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F));
      } else {
        return number_unknown();
      }
    }
    text = latin1;
  }
  if (text.size() < type->size) return not_a_number();  // numpy raises on a short buffer
  return decode_integer(text, *type);
}

LoadTimeNumber number_of(const ValueGraph& g, const Value& v, int depth);

LoadTimeNumber call_number(const ValueGraph& g, const Node& call, int depth) {
  if (call.items.size() < 2) return number_unknown();
  const std::string callable = g.qualified_name(call.items[0]);
  const Node* args = value_node(g, call.items[1]);
  if (is_scalar_function(callable)) return args ? numpy_scalar_number(g, *args) : number_unknown();
  const bool to_int = callable == "builtins.int" || is_numpy_integer_type(callable);
  if (to_int || callable == "builtins.bool") {
    if (call.items.size() > 2 || depth > 16) return number_unknown();  // keywords (base=) or a deep chain
    if (!args) return call.items[1].len == 0 ? number_known(0) : number_unknown();  // plain numbers not kept
    if (args->items.empty()) return number_known(0);
    if (args->items.size() > 1) return to_int ? number_unknown() : number_known(1);  // int(text, base)
    const Value& x = args->items[0];
    if (callable == "builtins.bool" || callable.ends_with(".bool_") || callable == "numpy.bool") {
      auto n = number_of(g, x, depth + 1);
      return n.is == NumberIs::known ? number_known(n.value != 0 || n.negative) : number_known(1);  // at most 1 either way
    }
    if (x.kind == Kind::floating) {
      if (!(x.f > -9.3e18 && x.f < 1.8e19)) return number_known(UINT64_MAX);  // int() of inf raises, nan too
      return x.f < 0 ? number_known(0, true) : number_known(static_cast<std::uint64_t>(x.f));
    }
    if (x.kind == Kind::string || x.kind == Kind::bytes) {
      std::string_view s = g.text_of(x);
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
      const bool minus = !s.empty() && s.front() == '-';
      if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
      std::uint64_t u = 0;
      bool digits = false;
      for (char c : s) {
        if (c == '_') continue;
        if (c < '0' || c > '9') return c == ' ' || c == '\n' || c == '\t' ? (digits ? number_known(u, minus) : number_unknown()) : number_unknown();
        digits = true;
        u = u > (UINT64_MAX - 9) / 10 ? UINT64_MAX : u * 10 + static_cast<std::uint64_t>(c - '0');
      }
      return digits ? number_known(u, minus && u != 0) : not_a_number();
    }
    return number_of(g, x, depth + 1);
  }
  if (makes_no_integer(callable)) return not_a_number();
  return number_unknown();
}

LoadTimeNumber number_of(const ValueGraph& g, const Value& v, int depth) {
  switch (v.kind) {
    case Kind::boolean: return number_known(v.i != 0);
    case Kind::integer:
      return v.i < 0 ? number_known(static_cast<std::uint64_t>(-(v.i + 1)) + 1, true) : number_known(static_cast<std::uint64_t>(v.i));
    case Kind::big_integer: return number_known(UINT64_MAX);  // past 2**63 either way: numpy and bytes raise or allocate
    case Kind::call: {
      const Node* n = value_node(g, v);
      return n ? call_number(g, *n, depth) : number_unknown();
    }
    case Kind::attribute:
    case Kind::persistent: return number_unknown();
    default: return not_a_number();  // None, floats, text, containers, classes
  }
}

// Single-character type codes (numpy's dtype.char) and their item sizes on a 64-bit platform.
std::optional<std::uint64_t> char_code_size(char c) {
  static constexpr std::pair<char, std::uint8_t> kSizes[] = {
      {'?', 1}, {'b', 1}, {'B', 1}, {'h', 2}, {'H', 2}, {'i', 4}, {'I', 4}, {'l', 8}, {'L', 8}, {'q', 8}, {'Q', 8},
      {'p', 8}, {'P', 8}, {'e', 2}, {'f', 4}, {'d', 8}, {'g', 16}, {'F', 8}, {'D', 16}, {'G', 32}, {'O', 8},
      {'M', 8}, {'m', 8}, {'S', 1}, {'a', 1}, {'U', 4}, {'V', 1}, {'c', 1}};
  for (auto [code, size] : kSizes)
    if (code == c) return size;
  return std::nullopt;
}

std::optional<std::uint64_t> type_code_size(std::string_view code) {
  if (!code.empty() && std::string_view("<>|=!").find(code.front()) != std::string_view::npos) code.remove_prefix(1);
  if (code.size() == 1) return char_code_size(code.front());
  if (code.size() < 2 || code.size() > 20 || std::string_view("biufcOSUVMma").find(code.front()) == std::string_view::npos)
    return std::nullopt;
  std::uint64_t n = 0;
  for (char c : code.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;  // 'M8[ns]', names: not followed
    if (n > (UINT64_MAX - 9) / 10) return UINT64_MAX;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (code.front() == 'U') n = n > UINT64_MAX / 4 ? UINT64_MAX : n * 4;
  return n;
}

}  // namespace

LoadTimeNumber load_time_number(const ValueGraph& g, const Value& v) { return number_of(g, v, 0); }

std::optional<std::uint64_t> numpy_item_bytes(const ValueGraph& g, const Value& dtype) {
  if (dtype.kind == Kind::none) return 8;  // float64
  if (dtype.kind == Kind::string || dtype.kind == Kind::bytes) return type_code_size(g.text_of(dtype));
  if (auto t = numpy_item_type(g, dtype)) return t->size;
  return std::nullopt;
}

ShapeElements numpy_shape_elements(const ValueGraph& g, const Value& shape) {
  ShapeElements out;
  if (shape.kind == Kind::tuple || shape.kind == Kind::list) {
    const Node* n = value_node(g, shape);
    if (n == nullptr) {
      if (shape.len == 0 || (shape.flags & Value::kHasZero) != 0) {
        out.is = NumberIs::known;
        out.elements = shape.len == 0 ? 1 : 0;
      } else {
        out.needs_items = true;
      }
      return out;
    }
    std::uint64_t product = 1;
    bool unknown_dimension = false;
    for (const Value& item : n->items) {
      auto d = number_of(g, item, 0);
      if (d.is == NumberIs::not_integer || (d.is == NumberIs::known && (d.negative || d.value == 0))) {
        out.is = NumberIs::known;  // numpy raises, or the array is empty
        return out;
      }
      if (d.is == NumberIs::unknown) {
        unknown_dimension = true;
        continue;
      }
      product = d.value != 0 && product > UINT64_MAX / d.value ? UINT64_MAX : product * d.value;
    }
    out.is = unknown_dimension ? NumberIs::unknown : NumberIs::known;
    out.elements = product;  // with an unknown dimension: the known part, a lower bound
    return out;
  }
  auto d = number_of(g, shape, 0);
  out.is = d.is;
  out.elements = d.is == NumberIs::known && !d.negative ? d.value : 0;
  return out;
}

}  // namespace modelgate::pickle
