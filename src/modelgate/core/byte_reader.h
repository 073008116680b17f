#pragma once
// A bounds-checked cursor over a ByteView. Every read either succeeds completely or fails
// without moving; callers turn failures into Errors carrying offset().
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/bytes.h"

namespace modelgate {

class ByteReader {
 public:
  explicit ByteReader(ByteView data, std::size_t pos = 0) : data_(data), pos_(pos) {}

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return pos_ <= data_.size() ? data_.size() - pos_ : 0; }
  bool at_end() const { return remaining() == 0; }
  ByteView data() const { return data_; }
  void seek(std::size_t pos) { pos_ = pos; }

  bool skip(std::size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }
  bool bytes(std::size_t n, ByteView& out) {
    if (n > remaining()) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool u8(std::uint8_t& out) {
    if (remaining() < 1) return false;
    out = data_[pos_++];
    return true;
  }
  // Little-endian integer or IEEE float of the natural size.
  template <class T>
  bool le(T& out) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (remaining() < sizeof(T)) return false;
    std::memcpy(&out, data_.data() + pos_, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) out = byteswap_(out);
    pos_ += sizeof(T);
    return true;
  }
  template <class T>
  bool be(T& out) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (remaining() < sizeof(T)) return false;
    std::memcpy(&out, data_.data() + pos_, sizeof(T));
    if constexpr (std::endian::native == std::endian::little) out = byteswap_(out);
    pos_ += sizeof(T);
    return true;
  }
  // A little-endian u32 length, then that many bytes (what ByteWriter::str writes).
  bool sized(ByteView& out) {
    std::uint32_t n = 0;
    const std::size_t start = pos_;
    if (le(n) && bytes(n, out)) return true;
    pos_ = start;
    return false;
  }
  bool sized(std::string& out) {
    ByteView b;
    if (!sized(b)) return false;
    out.assign(reinterpret_cast<const char*>(b.data()), b.size());
    return true;
  }
  // A little-endian u32 count of items that take at least `min_bytes` each: false when what is
  // left cannot hold that many, so that the count can size an allocation.
  bool count(std::uint32_t& n, std::size_t min_bytes) {
    const std::size_t start = pos_;
    if (le(n) && n <= remaining() / min_bytes) return true;
    pos_ = start;
    return false;
  }
  // A line ending in '\n' (the newline is consumed, not returned).
  bool line(ByteView& out) {
    const auto* begin = data_.data() + pos_;
    const void* nl = remaining() ? std::memchr(begin, '\n', remaining()) : nullptr;
    if (nl == nullptr) return false;
    std::size_t n = static_cast<const std::uint8_t*>(nl) - begin;
    out = data_.subspan(pos_, n);
    pos_ += n + 1;
    return true;
  }

 private:
  template <class T>
  static T byteswap_(T v) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
    std::memcpy(&v, b, sizeof(T));
    return v;
  }
  ByteView data_;
  std::size_t pos_;
};

}  // namespace modelgate
