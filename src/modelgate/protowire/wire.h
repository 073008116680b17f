#pragma once
// A bounded reader for the protobuf wire format, with no schema. Used to identify ONNX and
// TensorFlow files by content, to count ONNX structures before libprotobuf allocates, and to walk
// SavedModel protobufs without TensorFlow's schema. Groups (wire types 3 and 4) are deprecated and
// used by none of these formats, so they are rejected as malformed.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/bytes.h"
#include "core/expected.h"

namespace modelgate::protowire {

enum class WireType : std::uint8_t { varint = 0, i64 = 1, len = 2, i32 = 5 };

struct Field {
  std::uint32_t number = 0;
  WireType type = WireType::varint;
  std::uint64_t value = 0;  // varint, i64 and i32 payloads
  ByteView bytes;           // len payload
  std::size_t offset = 0;   // offset of the tag, relative to the start of the outermost buffer
};

// Iterates the fields of one message. `base` is the message's offset in the outermost buffer, so
// that errors and fields carry absolute offsets.
class MessageReader {
 public:
  explicit MessageReader(ByteView message, std::size_t base = 0) : data_(message), base_(base) {}

  // True with the next field; false at the end of the message or on malformed input (then
  // error() is set and the reader stays failed).
  bool next(Field& out);
  const std::optional<ParseError>& error() const { return error_; }
  std::size_t base() const { return base_; }
  // Absolute offset of a payload returned in a Field, for nested readers.
  std::size_t absolute(ByteView inner) const {
    return base_ + static_cast<std::size_t>(inner.data() - data_.data());
  }

 private:
  bool fail(std::size_t at, std::string reason);
  ByteView data_;
  std::size_t base_;
  std::size_t pos_ = 0;
  std::optional<ParseError> error_;
};

// Reads a base-128 varint of at most 10 bytes; false when truncated or overlong.
bool read_varint(ByteView data, std::size_t& pos, std::uint64_t& out);

// True when `bytes` is a syntactically valid message at the top level (every tag valid, every
// length inside the buffer, ending exactly at the end). Does not descend into len fields.
bool is_flat_message(ByteView bytes);

// True when every byte is printable ASCII or valid-looking UTF-8 text without control characters.
bool is_text(ByteView bytes);

}  // namespace modelgate::protowire
