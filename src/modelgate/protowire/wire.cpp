#include "protowire/wire.h"

#include <vector>

namespace modelgate::protowire {

bool read_varint(ByteView data, std::size_t& pos, std::uint64_t& out) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < 10; ++i) {
    if (pos + i >= data.size()) return false;
    std::uint8_t b = data[pos + i];
    v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      pos += i + 1;
      out = v;
      return true;
    }
  }
  return false;
}

bool MessageReader::fail(std::size_t at, std::string reason) {
  error_ = parse_error(base_ + at, std::move(reason));
  pos_ = data_.size();
  return false;
}

bool MessageReader::next(Field& out) {
  if (error_ || pos_ >= data_.size()) return false;
  std::size_t start = pos_;
  std::uint64_t tag = 0;
  if (!read_varint(data_, pos_, tag)) return fail(start, "truncated or overlong field tag");
  std::uint64_t number = tag >> 3;
  if (number == 0 || number > 0x1fffffff) return fail(start, "invalid field number " + std::to_string(number));
  out = Field{};
  out.number = static_cast<std::uint32_t>(number);
  out.offset = base_ + start;
  switch (tag & 7) {
    case 0:
      out.type = WireType::varint;
      if (!read_varint(data_, pos_, out.value)) return fail(pos_, "truncated or overlong varint");
      return true;
    case 1:
      out.type = WireType::i64;
      if (data_.size() - pos_ < 8) return fail(pos_, "truncated 64-bit field");
      for (unsigned i = 0; i < 8; ++i) out.value |= static_cast<std::uint64_t>(data_[pos_ + i]) << (8 * i);
      pos_ += 8;
      return true;
    case 2: {
      out.type = WireType::len;
      std::uint64_t n = 0;
      std::size_t at = pos_;
      if (!read_varint(data_, pos_, n)) return fail(at, "truncated or overlong length");
      if (n > data_.size() - pos_) {
        if (allow_truncated_) {
          truncated_ = true;
          n = data_.size() - pos_;
        } else {
          return fail(at, "length " + std::to_string(n) + " of field " + std::to_string(number) +
                              " runs past the end of its message");
        }
      }
      out.bytes = data_.subspan(pos_, static_cast<std::size_t>(n));
      pos_ += static_cast<std::size_t>(n);
      return true;
    }
    case 5:
      out.type = WireType::i32;
      if (data_.size() - pos_ < 4) return fail(pos_, "truncated 32-bit field");
      for (unsigned i = 0; i < 4; ++i) out.value |= static_cast<std::uint64_t>(data_[pos_ + i]) << (8 * i);
      pos_ += 4;
      return true;
    case 3: {
      out.type = WireType::group;
      std::size_t content = pos_;
      if (!skip_group(out.number)) return false;
      out.bytes = data_.subspan(content, group_end_ - content);  // without the end tag
      return true;
    }
    default:
      return fail(start, "invalid wire type " + std::to_string(tag & 7));
  }
}

// Skips the fields of a group up to its matching end tag. Iterative: the groups still open are a
// list of their field numbers, bounded by max_group_depth_ and by the input.
bool MessageReader::skip_group(std::uint32_t number) {
  std::vector<std::uint32_t> open{number};
  for (;;) {
    if (open.size() > max_group_depth_)
      return fail(pos_, "groups nested deeper than max_protobuf_group_depth (" + std::to_string(max_group_depth_) + ")");
    std::size_t start = pos_;
    std::uint64_t tag = 0;
    if (!read_varint(data_, pos_, tag)) return fail(start, "group " + std::to_string(open.back()) + " is not closed");
    std::uint64_t inner = tag >> 3;
    if (inner == 0 || inner > 0x1fffffff) return fail(start, "invalid field number in a group");
    std::uint64_t v = 0;
    switch (tag & 7) {
      case 0:
        if (!read_varint(data_, pos_, v)) return fail(pos_, "truncated varint in a group");
        break;
      case 1:
        if (data_.size() - pos_ < 8) return fail(pos_, "truncated 64-bit field in a group");
        pos_ += 8;
        break;
      case 5:
        if (data_.size() - pos_ < 4) return fail(pos_, "truncated 32-bit field in a group");
        pos_ += 4;
        break;
      case 2: {
        std::size_t at = pos_;
        if (!read_varint(data_, pos_, v) || v > data_.size() - pos_) return fail(at, "bad length in a group");
        pos_ += static_cast<std::size_t>(v);
        break;
      }
      case 3:
        open.push_back(static_cast<std::uint32_t>(inner));
        break;
      case 4:
        if (inner != open.back())
          return fail(start, "group " + std::to_string(open.back()) + " closed by the end tag of " + std::to_string(inner));
        open.pop_back();
        if (open.empty()) {
          group_end_ = start;
          return true;
        }
        break;
      default:
        return fail(start, "invalid wire type " + std::to_string(tag & 7) + " in a group");
    }
  }
}

bool is_flat_message(ByteView bytes) {
  MessageReader r(bytes);
  Field f;
  while (r.next(f)) {
  }
  return !r.error();
}

bool is_text(ByteView bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    std::uint8_t c = bytes[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      if (c == 0x7f) return false;
      ++i;
      continue;
    }
    std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4) || i + len > bytes.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((bytes[i + k] & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

}  // namespace modelgate::protowire
