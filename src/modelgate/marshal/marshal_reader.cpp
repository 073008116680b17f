#include "marshal/marshal_reader.h"

#include <array>
#include <optional>

#include "core/byte_reader.h"

namespace modelgate::marshal {

namespace {

enum class Layout { py311, py38, py30 };

enum class Kind : std::uint8_t { other, null, str, bytes, tuple, code };

struct Obj {
  Kind kind = Kind::other;
  std::string text;                 // str and bytes
  std::vector<std::uint32_t> items; // tuple/list/set members (arena indices)
  std::int32_t code = -1;           // index into summary.codes
};

constexpr std::uint8_t kFlagRef = 0x80;
constexpr std::uint32_t kUnfilled = 0xffffffffu;

class Reader {
 public:
  Reader(ByteView data, Layout layout, const Limits& limits)
      : in_(data), layout_(layout), limits_(limits) {}

  Expected<MarshalSummary> run() {
    std::uint32_t root = 0;
    if (!value(root, 0)) return error_;
    if (!in_.at_end()) return parse_error(in_.offset(), "trailing bytes after the marshal object");
    if (arena_[root].kind != Kind::code) return parse_error(0, "the marshal object is not a code object");
    summary_.layout = layout_ == Layout::py311 ? "py3.11+" : layout_ == Layout::py38 ? "py3.8-3.10" : "py3.0-3.7";
    // Put the root code object first.
    auto root_code = static_cast<std::size_t>(arena_[root].code);
    if (root_code != 0) std::swap(summary_.codes[0], summary_.codes[root_code]);
    return std::move(summary_);
  }

 private:
  bool fail(std::string reason) {
    error_ = parse_error(in_.offset(), std::move(reason));
    return false;
  }

  std::uint32_t make(Kind k) {
    arena_.push_back(Obj{});
    arena_.back().kind = k;
    return static_cast<std::uint32_t>(arena_.size() - 1);
  }

  bool i32(std::int32_t& v) { return in_.le(v) || fail("truncated 32-bit integer"); }

  bool count(std::size_t& n, bool small) {
    if (small) {
      std::uint8_t b;
      if (!in_.u8(b)) return fail("truncated length");
      n = b;
      return true;
    }
    std::int32_t v = 0;
    if (!i32(v)) return false;
    if (v < 0) return fail("negative length");
    n = static_cast<std::size_t>(v);
    return true;
  }

  bool text(Kind k, std::size_t n, std::uint32_t& out) {
    ByteView b;
    if (!in_.bytes(n, b)) return fail("string of " + std::to_string(n) + " bytes runs past the end");
    out = make(k);
    arena_[out].text.assign(as_chars(b));
    return true;
  }

  bool sequence(std::size_t n, std::uint32_t& out, unsigned depth) {
    if (n > in_.remaining()) return fail("container of " + std::to_string(n) + " items cannot fit");
    out = make(Kind::tuple);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint32_t item;
      if (!value(item, depth + 1)) return false;
      arena_[out].items.push_back(item);
    }
    return true;
  }

  // Reads the fields of a code object after its type byte.
  bool code(std::uint32_t& out, unsigned depth) {
    unsigned ints = layout_ == Layout::py38 ? 6 : 5;
    for (unsigned i = 0; i < ints; ++i) {
      std::int32_t v = 0;
      if (!i32(v)) return false;
    }
    out = make(Kind::code);
    auto code_index = static_cast<std::int32_t>(summary_.codes.size());
    arena_[out].code = code_index;
    summary_.codes.emplace_back();
    std::uint32_t bytecode, consts, names;
    if (!value(bytecode, depth + 1) || !value(consts, depth + 1) || !value(names, depth + 1)) return false;
    // py3.11: localsplusnames, localspluskinds; older: varnames, freevars, cellvars.
    unsigned skipped = layout_ == Layout::py311 ? 2 : 3;
    for (unsigned i = 0; i < skipped; ++i) {
      std::uint32_t ignored;
      if (!value(ignored, depth + 1)) return false;
    }
    std::uint32_t filename, name;
    if (!value(filename, depth + 1) || !value(name, depth + 1)) return false;
    if (layout_ == Layout::py311) {
      std::uint32_t qualname;
      if (!value(qualname, depth + 1)) return false;
    }
    std::int32_t firstlineno = 0;
    if (!i32(firstlineno)) return false;
    unsigned tail = layout_ == Layout::py311 ? 2 : 1;  // linetable+exceptiontable or lnotab
    for (unsigned i = 0; i < tail; ++i) {
      std::uint32_t ignored;
      if (!value(ignored, depth + 1)) return false;
    }
    if (arena_[bytecode].kind != Kind::bytes) return fail("co_code is not a bytes object");
    if (arena_[names].kind != Kind::tuple || arena_[consts].kind != Kind::tuple)
      return fail("co_names or co_consts is not a tuple");
    CodeSummary& s = summary_.codes[static_cast<std::size_t>(code_index)];
    s.name = arena_[name].text;
    s.filename = arena_[filename].text;
    for (auto i : arena_[names].items) {
      if (arena_[i].kind != Kind::str) return fail("co_names holds a non-string");
      s.names.push_back(arena_[i].text);
    }
    collect_visits_ = 0;
    collect_strings(consts, s.strings, 0);
    return true;
  }

  // References can share a tuple many times over, so the walk is capped, not just bounded in depth.
  void collect_strings(std::uint32_t obj, std::vector<std::string>& out, unsigned depth) {
    if (depth > limits_.max_marshal_depth || out.size() >= limits_.max_marshal_strings_per_code ||
        ++collect_visits_ > limits_.max_marshal_collect_visits)
      return;
    const Obj& o = arena_[obj];
    if (o.kind == Kind::str || o.kind == Kind::bytes) out.push_back(o.text);
    if (o.kind == Kind::tuple)
      for (auto i : o.items) collect_strings(i, out, depth + 1);
  }

  // An object in a position where NULL (the dict terminator) is not allowed.
  bool value(std::uint32_t& out, unsigned depth) {
    if (!object(out, depth)) return false;
    return arena_[out].kind != Kind::null || fail("NULL object outside a dict");
  }

  bool object(std::uint32_t& out, unsigned depth) {
    if (depth > limits_.max_marshal_depth)
      return fail("marshal data nested deeper than max_marshal_depth (" + std::to_string(limits_.max_marshal_depth) + ")");
    if (++objects_ > limits_.max_marshal_objects)
      return fail("more than max_marshal_objects (" + std::to_string(limits_.max_marshal_objects) + ") marshal objects");
    std::uint8_t type_byte;
    if (!in_.u8(type_byte)) return fail("truncated: expected an object");
    bool flag = (type_byte & kFlagRef) != 0;
    char type = static_cast<char>(type_byte & ~kFlagRef);
    // Containers and code objects take their reference slot before their children (pre-order),
    // like CPython's r_ref_reserve; scalars have no children, so the order is the same.
    std::size_t slot = refs_.size();
    if (flag) refs_.push_back(kUnfilled);
    std::size_t n = 0;
    bool ok = true;
    switch (type) {
      case '0': out = make(Kind::null); break;
      case 'N': case 'F': case 'T': case 'S': case '.': out = make(Kind::other); break;
      case 'i': { std::int32_t v = 0; ok = i32(v); out = make(Kind::other); break; }
      case 'I': case 'g': ok = in_.skip(8) || fail("truncated number"); out = make(Kind::other); break;
      case 'y': ok = in_.skip(16) || fail("truncated complex"); out = make(Kind::other); break;
      case 'f': ok = count(n, true) && (in_.skip(n) || fail("truncated float")); out = make(Kind::other); break;
      case 'x':
        ok = count(n, true) && (in_.skip(n) || fail("truncated complex")) && count(n, true) &&
             (in_.skip(n) || fail("truncated complex"));
        out = make(Kind::other);
        break;
      case 'l': {
        std::int32_t digits = 0;
        ok = i32(digits);
        if (ok) {
          std::uint64_t m = digits < 0 ? -static_cast<std::int64_t>(digits) : digits;
          ok = (m <= in_.remaining() / 2 && in_.skip(static_cast<std::size_t>(m) * 2)) || fail("truncated long integer");
        }
        out = make(Kind::other);
        break;
      }
      case 's': ok = count(n, false) && text(Kind::bytes, n, out); break;
      case 'u': case 't': case 'a': case 'A': ok = count(n, false) && text(Kind::str, n, out); break;
      case 'z': case 'Z': ok = count(n, true) && text(Kind::str, n, out); break;
      case '(': case '[': case '<': case '>':
        ok = count(n, false) && sequence(n, out, depth);
        break;
      case ')': ok = count(n, true) && sequence(n, out, depth); break;
      case '{': {
        out = make(Kind::other);
        for (;;) {
          std::uint32_t key;
          if (!object(key, depth + 1)) return false;
          if (arena_[key].kind == Kind::null) break;
          std::uint32_t item;
          if (!value(item, depth + 1)) return false;
        }
        break;
      }
      case 'c': ok = code(out, depth); break;
      case 'r': {
        std::int32_t index = 0;
        ok = i32(index);
        if (ok && (index < 0 || static_cast<std::size_t>(index) >= refs_.size()))
          ok = fail("reference " + std::to_string(index) + " to an object not yet read");
        // A reference to a container still being read: CPython sees its placeholder.
        if (ok) out = refs_[static_cast<std::size_t>(index)] == kUnfilled ? make(Kind::other)
                                                                           : refs_[static_cast<std::size_t>(index)];
        break;
      }
      default:
        return fail(std::string("unknown marshal type code 0x") + "0123456789abcdef"[(type_byte >> 4) & 15] +
                    "0123456789abcdef"[type_byte & 15]);
    }
    if (!ok) return false;
    if (flag) refs_[slot] = out;
    return true;
  }

  ByteReader in_;
  Layout layout_;
  const Limits& limits_;
  std::vector<Obj> arena_;
  std::vector<std::uint32_t> refs_;
  std::size_t objects_ = 0;
  std::size_t collect_visits_ = 0;
  MarshalSummary summary_;
  Error error_;
};

}  // namespace

Expected<MarshalSummary> read_code_object(ByteView data, const Limits& limits) {
  std::optional<Error> first_error;
  for (Layout layout : {Layout::py311, Layout::py38, Layout::py30}) {
    auto r = Reader(data, layout, limits).run();
    if (r) return r;
    if (!first_error || r.error().offset > first_error->offset) first_error = r.error();
  }
  return *first_error;
}

}  // namespace modelgate::marshal
