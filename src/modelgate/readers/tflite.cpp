#include "readers/tflite.h"

#include <algorithm>
#include <cstring>

namespace modelgate::tflite {

namespace {

// FlatBuffers' binary layout (flatbuffers.dev, "Internals"): little-endian; a table starts with
// an int32 offset back to its vtable (u16 vtable size, u16 table size, u16 field offsets); offset
// fields are u32 forward offsets from where they are stored; vectors and strings start with a u32
// element count, strings end with a NUL.
class Buffer {
 public:
  explicit Buffer(ByteView b) : b_(b) {}

  bool fits(std::uint64_t at, std::uint64_t n) const { return at <= b_.size() && n <= b_.size() - at; }

  template <class T>
  Expected<T> scalar(std::uint64_t at, const char* what) const {
    if (!fits(at, sizeof(T))) return parse_error(at, std::string(what) + " is past the end of the file");
    T v;
    std::memcpy(&v, b_.data() + at, sizeof(T));  // the format is little-endian, as is every target here
    return v;
  }

  // The position an offset field at `at` points to.
  Expected<std::uint64_t> follow(std::uint64_t at, const char* what) const {
    auto off = scalar<std::uint32_t>(at, what);
    if (!off) return off.error();
    std::uint64_t target = at + *off;
    if (*off == 0 || target >= b_.size()) return parse_error(at, std::string(what) + " points outside the file");
    return target;
  }

  ByteView bytes() const { return b_; }

 private:
  ByteView b_;
};

struct Table {
  std::uint64_t at = 0;
  std::uint64_t vtable = 0;
  std::uint16_t vtable_size = 0;
  std::uint16_t table_size = 0;
};

Expected<Table> table(const Buffer& b, std::uint64_t at, const char* what) {
  auto soffset = b.scalar<std::int32_t>(at, what);
  if (!soffset) return soffset.error();
  std::int64_t vt = static_cast<std::int64_t>(at) - *soffset;
  if (vt < 0 || !b.fits(static_cast<std::uint64_t>(vt), 4))
    return parse_error(at, std::string(what) + ": its vtable is outside the file");
  Table t{at, static_cast<std::uint64_t>(vt), 0, 0};
  t.vtable_size = *b.scalar<std::uint16_t>(t.vtable, what);
  t.table_size = *b.scalar<std::uint16_t>(t.vtable + 2, what);
  if (t.vtable_size < 4 || t.vtable_size % 2 != 0 || !b.fits(t.vtable, t.vtable_size))
    return parse_error(t.vtable, std::string(what) + ": malformed vtable");
  if (t.table_size < 4 || !b.fits(at, t.table_size)) return parse_error(at, std::string(what) + ": table past the end");
  return t;
}

// Where field `index` of `t` is stored, or 0 when it is absent; `width` bytes must lie in the table.
Expected<std::uint64_t> field(const Buffer& b, const Table& t, unsigned index, unsigned width, const char* what) {
  std::uint64_t slot = 4 + 2ull * index;
  if (slot + 2 > t.vtable_size) return std::uint64_t{0};
  std::uint16_t off = *b.scalar<std::uint16_t>(t.vtable + slot, what);
  if (off == 0) return std::uint64_t{0};
  if (off < 4 || off + width > t.table_size) return parse_error(t.at, std::string(what) + " lies outside its table");
  return t.at + off;
}

// A vector's element count and first element, checked to fit with `element_size` each.
struct Vector {
  std::uint64_t count = 0;
  std::uint64_t first = 0;
};

Expected<Vector> vector(const Buffer& b, std::uint64_t at, std::uint64_t element_size, const char* what) {
  auto n = b.scalar<std::uint32_t>(at, what);
  if (!n) return n.error();
  if (!b.fits(at + 4, std::uint64_t{*n} * element_size))
    return parse_error(at, std::string(what) + ": " + std::to_string(*n) + " elements do not fit in the file");
  return Vector{*n, at + 4};
}

Expected<std::string> string_at(const Buffer& b, std::uint64_t at, const char* what) {
  auto v = vector(b, at, 1, what);
  if (!v) return v.error();
  if (!b.fits(v->first, v->count + 1) || b.bytes()[v->first + v->count] != 0)
    return parse_error(at, std::string(what) + " is not NUL-terminated");
  // Names are kept for reports only: at most 256 bytes (many codes may share one long string).
  constexpr std::uint64_t kShown = 256;
  std::string text(reinterpret_cast<const char*>(b.bytes().data() + v->first), std::min(v->count, kShown));
  if (v->count > kShown) text += "...";
  return text;
}

Expected<OperatorCode> operator_code(const Buffer& b, std::uint64_t at) {
  auto t = table(b, at, "operator code");
  if (!t) return t.error();
  OperatorCode code;
  std::int32_t deprecated = 0;
  if (auto f = field(b, *t, 0, 1, "deprecated_builtin_code"); !f) return f.error();
  else if (*f) deprecated = *b.scalar<std::int8_t>(*f, "deprecated_builtin_code");
  if (auto f = field(b, *t, 1, 4, "custom_code"); !f) return f.error();
  else if (*f) {
    auto s = b.follow(*f, "custom_code");
    if (!s) return s.error();
    auto text = string_at(b, *s, "custom_code");
    if (!text) return text.error();
    code.custom_code = std::move(*text);
  }
  if (auto f = field(b, *t, 2, 4, "version"); !f) return f.error();
  else if (*f) code.version = *b.scalar<std::int32_t>(*f, "version");
  std::int32_t builtin = 0;
  if (auto f = field(b, *t, 3, 4, "builtin_code"); !f) return f.error();
  else if (*f) builtin = *b.scalar<std::int32_t>(*f, "builtin_code");
  code.builtin = deprecated > builtin ? deprecated : builtin;  // tflite::GetBuiltinCode
  if (code.builtin < 0) return parse_error(at, "operator code " + std::to_string(code.builtin) + " is negative");
  return code;
}

// The element count of the vector an offset field points to (0 when absent).
Expected<std::uint64_t> vector_count(const Buffer& b, const Table& t, unsigned index, const char* what) {
  auto f = field(b, t, index, 4, what);
  if (!f || *f == 0) return f;
  auto v = b.follow(*f, what);
  if (!v) return v.error();
  auto vec = vector(b, *v, 4, what);
  if (!vec) return vec.error();
  return vec->count;
}

}  // namespace

Expected<Model> parse(ByteView bytes, std::uint64_t max_operator_codes) {
  Buffer b(bytes);
  if (bytes.size() < 8 || std::memcmp(bytes.data() + 4, "TFL3", 4) != 0)
    return parse_error(4, "no TFL3 file identifier");
  auto root = b.follow(0, "root table offset");
  if (!root) return root.error();
  auto model = table(b, *root, "model");
  if (!model) return model.error();
  Model m;
  if (auto f = field(b, *model, 0, 4, "version"); !f) return f.error();
  else if (*f) m.schema_version = *b.scalar<std::uint32_t>(*f, "version");
  auto codes = field(b, *model, 1, 4, "operator_codes");
  if (!codes) return codes.error();
  if (*codes) {
    auto v = b.follow(*codes, "operator_codes");
    if (!v) return v.error();
    auto vec = vector(b, *v, 4, "operator_codes");
    if (!vec) return vec.error();
    // Real models have a few hundred at most.
    if (vec->count > max_operator_codes)
      return parse_error(*v, std::to_string(vec->count) + " operator codes exceed max_tflite_operator_codes (" +
                                 std::to_string(max_operator_codes) + ")");
    for (std::uint64_t i = 0; i < vec->count; ++i) {
      auto at = b.follow(vec->first + 4 * i, "operator code offset");
      if (!at) return at.error();
      auto code = operator_code(b, *at);
      if (!code) return code.error();
      m.operator_codes.push_back(std::move(*code));
    }
  }
  auto subgraphs = vector_count(b, *model, 2, "subgraphs");
  if (!subgraphs) return subgraphs.error();
  m.subgraphs = *subgraphs;
  auto buffers = vector_count(b, *model, 4, "buffers");
  if (!buffers) return buffers.error();
  m.buffers = *buffers;
  return m;
}

bool looks_like_model(ByteView bytes) {
  static constexpr std::uint8_t kIdentifier[4] = {'T', 'F', 'L', '3'};
  return bytes.size() >= 8 && std::equal(kIdentifier, kIdentifier + 4, bytes.begin() + 4);
}

}  // namespace modelgate::tflite
