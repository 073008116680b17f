#include "readers/flax_msgpack.h"

#include <set>
#include <string_view>

#include "pickle/text_operands.h"
#include "core/utf8.h"

namespace modelgate::flax {

namespace {


enum class Kind { nil, boolean, integer, floating, str, bin, array, map, ext };

struct Object {
  Kind kind = Kind::nil;
  std::size_t offset = 0;
  std::uint64_t count = 0;  // array/map entries
  std::uint64_t uint = 0;   // non-negative integers
  bool negative = false;
  std::int8_t ext_type = 0;
  ByteView payload;         // str, bin, ext
};

class Reader {
 public:
  Reader(ByteView data, std::size_t base) : d_(data), base_(base) {}

  bool at_end() const { return pos_ == d_.size(); }
  std::size_t pos() const { return base_ + pos_; }

  // The header of the next object; for str/bin/ext the payload too.
  Expected<Object> head() {
    Object o;
    o.offset = pos();
    std::uint8_t b = 0;
    if (!byte(b)) return truncated();
    if (b <= 0x7f) return integer(o, b);
    if (b >= 0xe0) return o.kind = Kind::integer, o.negative = true, o;
    if (b >= 0x80 && b <= 0x8f) return container(o, Kind::map, b & 0x0f);
    if (b >= 0x90 && b <= 0x9f) return container(o, Kind::array, b & 0x0f);
    if (b >= 0xa0 && b <= 0xbf) return blob(o, Kind::str, b & 0x1f);
    std::uint64_t n = 0;
    switch (b) {
      case 0xc0: o.kind = Kind::nil; return o;
      case 0xc2: case 0xc3: o.kind = Kind::boolean; return o;
      case 0xc4: case 0xc5: case 0xc6:
        if (!be(1u << (b - 0xc4), n)) return truncated();
        return blob(o, Kind::bin, n);
      case 0xc7: case 0xc8: case 0xc9: {
        if (!be(1u << (b - 0xc7), n)) return truncated();
        return ext(o, n);
      }
      case 0xca: o.kind = Kind::floating; return skip(o, 4);
      case 0xcb: o.kind = Kind::floating; return skip(o, 8);
      case 0xcc: case 0xcd: case 0xce: case 0xcf:
        if (!be(1u << (b - 0xcc), n)) return truncated();
        return integer(o, n);
      case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        unsigned size = 1u << (b - 0xd0);
        if (!be(size, n)) return truncated();
        o.kind = Kind::integer;
        o.negative = (n >> (8 * size - 1)) & 1;
        o.uint = o.negative ? 0 : n;
        return o;
      }
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return ext(o, 1u << (b - 0xd4));
      case 0xd9: case 0xda: case 0xdb:
        if (!be(1u << (b - 0xd9), n)) return truncated();
        return blob(o, Kind::str, n);
      case 0xdc: case 0xdd:
        if (!be(2u << (b - 0xdc), n)) return truncated();
        return container(o, Kind::array, n);
      case 0xde: case 0xdf:
        if (!be(2u << (b - 0xde), n)) return truncated();
        return container(o, Kind::map, n);
      default: return parse_error(o.offset, "byte 0xc1 is never used in msgpack");
    }
  }

 private:
  Error truncated() const { return parse_error(pos(), "msgpack object runs past the end"); }
  bool byte(std::uint8_t& b) {
    if (pos_ >= d_.size()) return false;
    b = d_[pos_++];
    return true;
  }
  bool be(unsigned size, std::uint64_t& out) {
    if (d_.size() - pos_ < size) return false;
    out = 0;
    for (unsigned i = 0; i < size; ++i) out = out << 8 | d_[pos_ + i];
    pos_ += size;
    return true;
  }
  Expected<Object> integer(Object o, std::uint64_t v) {
    o.kind = Kind::integer;
    o.uint = v;
    return o;
  }
  Expected<Object> skip(Object o, std::size_t n) {
    if (d_.size() - pos_ < n) return truncated();
    pos_ += n;
    return o;
  }
  Expected<Object> blob(Object o, Kind k, std::uint64_t n) {
    if (n > d_.size() - pos_) return parse_error(o.offset, "length " + std::to_string(n) + " runs past the end");
    o.kind = k;
    o.payload = d_.subspan(pos_, n);
    pos_ += n;
    return o;
  }
  Expected<Object> ext(Object o, std::uint64_t n) {
    std::uint8_t t = 0;
    if (!byte(t)) return truncated();
    o.ext_type = static_cast<std::int8_t>(t);
    return blob(o, Kind::ext, n);
  }
  Expected<Object> container(Object o, Kind k, std::uint64_t n) {
    // Every entry takes at least one byte (two for a map): a count beyond that is a lie.
    if (n > (d_.size() - pos_) / (k == Kind::map ? 2 : 1))
      return parse_error(o.offset, "count " + std::to_string(n) + " exceeds the bytes left");
    o.kind = k;
    o.count = n;
    return o;
  }

  ByteView d_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

// NumPy dtype names flax writes (x.dtype.name), with their item sizes; ml_dtypes' names included.
std::uint64_t item_size(std::string_view name) {
  struct Entry {
    std::string_view name;
    std::uint64_t size;
  };
  static constexpr Entry kTypes[] = {
      {"bool", 1},      {"int8", 1},     {"uint8", 1},         {"int16", 2},        {"uint16", 2},
      {"int32", 4},     {"uint32", 4},   {"int64", 8},         {"uint64", 8},       {"float16", 2},
      {"float32", 4},   {"float64", 8},  {"bfloat16", 2},      {"complex64", 8},    {"complex128", 16},
      {"float8_e4m3fn", 1}, {"float8_e5m2", 1}, {"float8_e4m3fnuz", 1}, {"float8_e5m2fnuz", 1},
      {"float8_e4m3b11fnuz", 1}, {"int4", 1}, {"uint4", 1}};
  for (const auto& t : kTypes)
    if (t.name == name) return t.size;
  return 0;
}

class StateWalker {
 public:
  StateWalker(ByteView all, std::uint32_t max_depth, Checkpoint& out) : all_(all), max_depth_(max_depth), out_(out) {}

  Expected<bool> value(Reader& r, unsigned depth) {
    auto o = r.head();
    if (!o) return o.error();
    switch (o->kind) {
      case Kind::map: return map(r, *o, depth);
      case Kind::array:
        if (depth >= max_depth_) return too_deep(o->offset);
        for (std::uint64_t i = 0; i < o->count; ++i)
          if (auto v = value(r, depth + 1); !v) return v;
        return true;
      case Kind::str:
        if (!is_utf8(as_chars(o->payload))) return parse_error(o->offset, "string is not valid UTF-8");
        return true;
      case Kind::ext: return ext(*o);
      default: return true;
    }
  }

 private:
  Error too_deep(std::uint64_t offset) const {
    return parse_error(offset, "nesting deeper than max_msgpack_depth (" + std::to_string(max_depth_) + ")");
  }
  Expected<bool> map(Reader& r, const Object& m, unsigned depth) {
    if (depth >= max_depth_) return too_deep(m.offset);
    ++out_.maps;
    std::set<std::string_view> keys;
    for (std::uint64_t i = 0; i < m.count; ++i) {
      auto k = r.head();
      if (!k) return k.error();
      // msgpack.unpackb's strict_map_key (the default flax uses) accepts only str and bytes keys.
      if (k->kind != Kind::str && k->kind != Kind::bin) return parse_error(k->offset, "map key is not a string");
      if (k->kind == Kind::str && !is_utf8(as_chars(k->payload)))
        return parse_error(k->offset, "map key is not valid UTF-8");
      // A dict keeps the last of two equal keys; other readers may keep the first.
      if (!keys.insert(as_chars(k->payload)).second)
        return parse_error(k->offset, "duplicate key \"" + std::string(as_chars(k->payload).substr(0, 80)) + "\"");
      if (auto v = value(r, depth + 1); !v) return v;
    }
    return true;
  }

  Expected<bool> ext(const Object& e) {
    Reader inner(e.payload, static_cast<std::size_t>(e.payload.data() - all_.data()));
    auto tuple = inner.head();
    if (!tuple) return tuple.error();
    if (e.ext_type == 2) {  // native complex: (real, imag)
      if (tuple->kind != Kind::array || tuple->count != 2)
        return parse_error(e.offset, "complex number is not a (real, imag) pair");
      for (int k = 0; k < 2; ++k) {
        auto x = inner.head();
        if (!x) return x.error();
        if (x->kind != Kind::floating && x->kind != Kind::integer)
          return parse_error(x->offset, "complex part is not a number");
      }
    } else if (e.ext_type == 1 || e.ext_type == 3) {  // ndarray / NumPy scalar: (shape, dtype, bytes)
      if (tuple->kind != Kind::array || tuple->count != 3)
        return parse_error(e.offset, "array is not a (shape, dtype, bytes) triple");
      auto shape = inner.head();
      if (!shape) return shape.error();
      if (shape->kind != Kind::array || shape->count > 32) return parse_error(shape->offset, "array shape is not a list of at most 32 sizes");
      std::uint64_t elements = 1;
      for (std::uint64_t k = 0; k < shape->count; ++k) {
        auto dim = inner.head();
        if (!dim) return dim.error();
        if (dim->kind != Kind::integer || dim->negative) return parse_error(dim->offset, "array dimension is not a size");
        if (dim->uint != 0 && elements > UINT64_MAX / dim->uint) return parse_error(dim->offset, "array size overflows");
        elements *= dim->uint;
      }
      auto dtype = inner.head();
      if (!dtype) return dtype.error();
      std::uint64_t size = dtype->kind == Kind::str ? item_size(as_chars(dtype->payload)) : 0;
      if (size == 0) return parse_error(dtype->offset, "array dtype is not a numeric NumPy dtype name");
      auto data = inner.head();
      if (!data) return data.error();
      if (data->kind != Kind::bin) return parse_error(data->offset, "array data is not a byte string");
      if (elements > UINT64_MAX / size || data->payload.size() != elements * size)
        return parse_error(data->offset, "array data of " + std::to_string(data->payload.size()) +
                                             " bytes does not match its shape and dtype");
      ++out_.arrays;
      out_.parameters += elements;
    } else {
      return parse_error(e.offset, "ext type " + std::to_string(e.ext_type) +
                                       " is not one flax writes (1 array, 2 complex, 3 scalar)");
    }
    if (!inner.at_end()) return parse_error(inner.pos(), "bytes after the object inside an ext payload");
    return true;
  }

  ByteView all_;
  std::uint32_t max_depth_;
  Checkpoint& out_;
};

}  // namespace

bool looks_like_msgpack_state(ByteView bytes) {
  // The map header (fixmap 1-15 entries, map16, map32), then a str header for the first key.
  std::size_t key = bytes.empty() ? 0 : bytes[0] >= 0x81 && bytes[0] <= 0x8f ? 1 : bytes[0] == 0xde ? 3 : bytes[0] == 0xdf ? 5 : 0;
  if (key == 0 || bytes.size() <= key) return false;
  std::uint8_t k = bytes[key];
  return (k >= 0xa0 && k <= 0xbf) || (k >= 0xd9 && k <= 0xdb);
}

Expected<Checkpoint> parse(ByteView bytes, const Limits& limits) {
  Checkpoint c;
  if (bytes.empty() || !((bytes[0] >= 0x80 && bytes[0] <= 0x8f) || bytes[0] == 0xde || bytes[0] == 0xdf))
    return parse_error(0, "the state dict is not a msgpack map");
  Reader r(bytes, 0);
  StateWalker w(bytes, limits.max_msgpack_depth, c);
  if (auto v = w.value(r, 0); !v) return v.error();
  if (!r.at_end()) return parse_error(r.pos(), "data after the state dict (msgpack.unpackb refuses it)");
  return c;
}

}  // namespace modelgate::flax
