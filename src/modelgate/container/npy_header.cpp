#include "container/npy_header.h"

#include <cctype>
#include <memory>
#include <optional>
#include <tuple>

#include "core/byte_reader.h"

namespace modelgate::npy {

namespace {

// A parsed literal. Only what numpy headers contain.
struct Lit {
  enum Kind { str, integer, boolean, none, tuple, list, dict } kind = none;
  std::string s;
  std::int64_t i = 0;
  bool b = false;
  std::vector<Lit> items;  // tuple/list items; dict: key, value, key, value...
};

class LiteralParser {
 public:
  LiteralParser(std::string_view text, std::uint32_t max_depth) : t_(text), max_depth_(max_depth) {}

  Expected<Lit> parse_all() {
    Lit v;
    if (auto err = value(v, 0)) return *err;
    ws();
    if (p_ != t_.size()) return parse_error(p_, "unexpected text after the header dict");
    return v;
  }

 private:
  void ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }
  std::optional<Error> fail(std::string why) { return parse_error(p_, std::move(why)); }

  std::optional<Error> value(Lit& out, std::uint32_t depth) {
    if (depth > max_depth_) return fail("header nested deeper than max_npy_header_depth");
    ws();
    if (p_ >= t_.size()) return fail("header ends inside a value");
    char c = t_[p_];
    if (c == '\'' || c == '"') return string(out);
    if (c == '(' || c == '[' || c == '{') return sequence(out, depth);
    if (c == '-' || (c >= '0' && c <= '9')) return integer(out);
    for (auto [word, kind, b] : {std::tuple{"True", Lit::boolean, true}, std::tuple{"False", Lit::boolean, false},
                                 std::tuple{"None", Lit::none, false}}) {
      std::string_view w(word);
      if (t_.substr(p_, w.size()) == w) {
        std::size_t e = p_ + w.size();
        if (e < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[e])) || t_[e] == '_'))
          return fail("unexpected name in header");
        p_ = e;
        out.kind = kind;
        out.b = b;
        return std::nullopt;
      }
    }
    return fail(std::string("unexpected character '") + c + "' in header");
  }

  std::optional<Error> string(Lit& out) {
    char q = t_[p_++];
    out.kind = Lit::str;
    while (p_ < t_.size()) {
      char c = t_[p_++];
      if (c == q) return std::nullopt;
      if (c == '\n') return fail("newline inside a string");
      if (c == '\\') {
        if (p_ >= t_.size()) break;
        char e = t_[p_++];
        switch (e) {
          case '\\': case '\'': case '"': out.s += e; break;
          case 'n': out.s += '\n'; break;
          case 't': out.s += '\t'; break;
          case 'r': out.s += '\r'; break;
          case '0': out.s += '\0'; break;
          case 'x': {
            if (p_ + 2 > t_.size()) return fail("bad \\x escape");
            unsigned v = 0;
            for (int k = 0; k < 2; ++k) {
              char h = t_[p_++];
              int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
              if (d < 0) return fail("bad \\x escape");
              v = v * 16 + unsigned(d);
            }
            out.s += static_cast<char>(v);
            break;
          }
          default: return fail("unsupported escape in header string");
        }
        continue;
      }
      out.s += c;
    }
    return fail("unterminated string in header");
  }

  std::optional<Error> integer(Lit& out) {
    bool neg = t_[p_] == '-';
    if (neg) ++p_;
    std::size_t start = p_;
    std::uint64_t v = 0;
    while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') {
      if (v > (UINT64_C(1) << 62) / 10) return fail("integer too large in header");
      v = v * 10 + unsigned(t_[p_++] - '0');
    }
    if (p_ == start) return fail("expected digits");
    if (p_ < t_.size() && (t_[p_] == '.' || t_[p_] == 'e' || t_[p_] == 'E' || t_[p_] == 'j' || t_[p_] == 'L'))
      return fail("only integers are allowed here");
    if (t_[start] == '0' && p_ - start > 1) return fail("integer with leading zeros");
    out.kind = Lit::integer;
    out.i = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
    return std::nullopt;
  }

  std::optional<Error> sequence(Lit& out, std::uint32_t depth) {
    char open = t_[p_++];
    char close = open == '(' ? ')' : open == '[' ? ']' : '}';
    out.kind = open == '(' ? Lit::tuple : open == '[' ? Lit::list : Lit::dict;
    bool trailing_comma = false;
    for (;;) {
      ws();
      if (p_ >= t_.size()) return fail("header ends inside a container");
      if (t_[p_] == close) {
        ++p_;
        break;
      }
      if (!out.items.empty() && !trailing_comma) return fail("expected ',' in header");
      Lit item;
      if (auto e = value(item, depth + 1)) return e;
      out.items.push_back(std::move(item));
      if (out.kind == Lit::dict) {
        ws();
        if (p_ >= t_.size() || t_[p_] != ':') return fail("expected ':' in header dict");
        ++p_;
        Lit v;
        if (auto e = value(v, depth + 1)) return e;
        out.items.push_back(std::move(v));
      }
      ws();
      trailing_comma = p_ < t_.size() && t_[p_] == ',';
      if (trailing_comma) ++p_;
    }
    // "(x)" is not a tuple in Python; numpy writes "(x,)".
    if (out.kind == Lit::tuple && out.items.size() == 1 && !trailing_comma)
      return fail("parenthesised value is not a tuple");
    return std::nullopt;
  }

  std::string_view t_;
  std::size_t p_ = 0;
  std::uint32_t max_depth_;
};

bool mul_ok(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (a != 0 && b > UINT64_MAX / a) return false;
  out = a * b;
  return true;
}

// Size of a simple type string such as '<f4', '|O', '<U10', '<M8[ns]'.
Expected<std::uint64_t> simple_itemsize(std::string_view d, bool& object) {
  if (!d.empty() && (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=')) d.remove_prefix(1);
  if (d.empty()) return parse_error(0, "empty type string");
  char kind = d[0];
  std::string_view rest = d.substr(1);
  if (auto br = rest.find('['); br != std::string_view::npos) {
    if ((kind != 'M' && kind != 'm') || rest.back() != ']') return parse_error(0, "unexpected unit in type string");
    rest = rest.substr(0, br);
  }
  std::uint64_t n = 0;
  for (char c : rest) {
    if (c < '0' || c > '9' || n > (UINT64_C(1) << 40)) return parse_error(0, "bad size in type string");
    n = n * 10 + unsigned(c - '0');
  }
  switch (kind) {
    case 'O':
      object = true;
      if (rest.empty() || n == 8) return std::uint64_t{8};
      return parse_error(0, "bad object size");
    case '?': return std::uint64_t{1};
    case 'b': case 'i': case 'u': case 'f': case 'c': case 'M': case 'm': case 'S': case 'a': case 'V':
      if (n == 0 && kind != 'S' && kind != 'a' && kind != 'V') break;
      return n;
    case 'U': {
      std::uint64_t s;
      if (!mul_ok(n, 4, s)) break;
      return s;
    }
    default: break;
  }
  return parse_error(0, "unsupported type string '" + std::string(d) + "'");
}

bool shape_product(const Lit& shape, std::uint64_t& out, std::vector<std::uint64_t>* dims) {
  if (shape.kind == Lit::integer) {
    if (shape.i < 0) return false;
    if (dims) dims->push_back(static_cast<std::uint64_t>(shape.i));
    out = static_cast<std::uint64_t>(shape.i);
    return true;
  }
  if (shape.kind != Lit::tuple) return false;
  out = 1;
  for (const auto& d : shape.items) {
    if (d.kind != Lit::integer || d.i < 0) return false;
    if (dims) dims->push_back(static_cast<std::uint64_t>(d.i));
    if (!mul_ok(out, static_cast<std::uint64_t>(d.i), out)) return false;
  }
  return true;
}

// numpy's descr: a type string, or a list of (name, descr[, shape]) fields (name may be a
// (title, name) tuple). Padding fields have empty names.
Expected<std::uint64_t> descr_itemsize(const Lit& d, bool& object, int depth) {
  if (depth > 16) return parse_error(0, "structured dtype nested too deeply");
  if (d.kind == Lit::str) return simple_itemsize(d.s, object);
  if (d.kind != Lit::list || d.items.empty()) return parse_error(0, "descr is neither a type string nor a list of fields");
  std::uint64_t total = 0;
  for (const auto& f : d.items) {
    if (f.kind != Lit::tuple || f.items.size() < 2 || f.items.size() > 3)
      return parse_error(0, "a structured field is not (name, type[, shape])");
    const Lit& name = f.items[0];
    bool name_ok = name.kind == Lit::str ||
                   (name.kind == Lit::tuple && name.items.size() == 2 && name.items[1].kind == Lit::str);
    if (!name_ok) return parse_error(0, "a structured field name is not a string");
    auto field_size = descr_itemsize(f.items[1], object, depth + 1);
    if (!field_size) return field_size;
    std::uint64_t size = *field_size;
    if (f.items.size() == 3) {
      std::uint64_t n;
      if (!shape_product(f.items[2], n, nullptr) || !mul_ok(size, n, size))
        return parse_error(0, "bad sub-array shape in a structured field");
    }
    if (total + size < total) return parse_error(0, "structured dtype too large");
    total += size;
  }
  return total;
}

std::string render_descr(const Lit& d) {
  if (d.kind == Lit::str) return "'" + d.s + "'";
  std::string s = "[";
  for (std::size_t i = 0; i < d.items.size() && s.size() < 200; ++i) {
    if (i) s += ", ";
    const Lit& f = d.items[i];
    s += "(";
    for (std::size_t k = 0; k < f.items.size(); ++k) {
      if (k) s += ", ";
      s += f.items[k].kind == Lit::str ? "'" + f.items[k].s + "'" : f.items[k].kind == Lit::list ? render_descr(f.items[k]) : "...";
    }
    s += ")";
  }
  return s + "]";
}

}  // namespace

Expected<Header> parse_header(ByteView file, const Limits& limits) {
  ByteReader r(file);
  ByteView magic;
  if (!r.bytes(6, magic) || as_chars(magic) != "\x93NUMPY") return parse_error(0, "not an .npy file");
  std::uint8_t major, minor;
  if (!(r.u8(major) && r.u8(minor))) return parse_error(6, "truncated version");
  Header h;
  h.major = major;
  h.minor = minor;
  std::uint32_t len = 0;
  if (major == 1) {
    std::uint16_t l16;
    if (!r.le(l16)) return parse_error(8, "truncated header length");
    len = l16;
  } else if (major == 2 || major == 3) {
    if (!r.le(len)) return parse_error(8, "truncated header length");
  } else {
    return parse_error(6, "unsupported format version " + std::to_string(major) + "." + std::to_string(minor));
  }
  if (minor != 0)
    return parse_error(7, "unsupported format version " + std::to_string(major) + "." + std::to_string(minor));
  if (len > limits.max_npy_header_bytes)
    return parse_error(8, "header of " + std::to_string(len) + " bytes exceeds max_npy_header_bytes (" +
                              std::to_string(limits.max_npy_header_bytes) + ", numpy.load's own limit)");
  std::size_t start = r.offset();
  ByteView text;
  if (!r.bytes(len, text)) return parse_error(start, "header runs past the end of the file");
  h.data_offset = r.offset();
  std::string_view t = as_chars(text);
  if (t.empty() || t.back() != '\n') return parse_error(h.data_offset - 1, "header does not end with a newline");
  for (char c : t)
    if (static_cast<unsigned char>(c) >= 0x80 && major < 3)
      return parse_error(start, "non-ASCII byte in a version 1/2 header");
  LiteralParser lp(t, limits.max_npy_header_depth);
  auto lit = lp.parse_all();
  if (!lit) return parse_error(start + lit.error().offset, "header: " + lit.error().reason);
  if (lit->kind != Lit::dict) return parse_error(start, "header is not a dict");
  const Lit* descr = nullptr;
  const Lit* fortran = nullptr;
  const Lit* shape = nullptr;
  for (std::size_t i = 0; i + 1 < lit->items.size(); i += 2) {
    const Lit& k = lit->items[i];
    const Lit** slot = k.kind != Lit::str ? nullptr
                       : k.s == "descr"         ? &descr
                       : k.s == "fortran_order" ? &fortran
                       : k.s == "shape"         ? &shape
                                                : nullptr;
    if (slot == nullptr) return parse_error(start, "header has an unexpected key");
    if (*slot != nullptr) return parse_error(start, "header repeats key '" + k.s + "'");
    *slot = &lit->items[i + 1];
  }
  if (!descr || !fortran || !shape) return parse_error(start, "header lacks descr, fortran_order or shape");
  if (fortran->kind != Lit::boolean) return parse_error(start, "fortran_order is not a bool");
  h.fortran_order = fortran->b;
  if (shape->kind != Lit::tuple || !shape_product(*shape, h.count, &h.shape))
    return parse_error(start, "shape is not a tuple of non-negative integers (or overflows)");
  auto itemsize = descr_itemsize(*descr, h.has_object, 0);
  if (!itemsize) return parse_error(start, "descr: " + itemsize.error().reason);
  h.itemsize = *itemsize;
  h.descr_text = render_descr(*descr);
  return h;
}

}  // namespace modelgate::npy
