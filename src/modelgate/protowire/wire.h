#pragma once
// A bounded reader for the protobuf wire format, with no schema. Used to identify ONNX and
// TensorFlow files by content, to count ONNX structures before libprotobuf allocates, and to walk
// SavedModel protobufs without TensorFlow's schema. Groups (wire types 3 and 4) are deprecated but
// still accepted (and skipped as unknown fields) by protobuf parsers, so they are read too: a
// walker that refused them could be blinded by one junk group field.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::protowire {

enum class WireType : std::uint8_t { varint = 0, i64 = 1, len = 2, group = 3, i32 = 5 };

struct Field {
  std::uint32_t number = 0;
  WireType type = WireType::varint;
  std::uint64_t value = 0;  // varint, i64 and i32 payloads
  ByteView bytes;           // len payload, or the fields between a group's start and end tags
  std::size_t offset = 0;   // offset of the tag, relative to the start of the outermost buffer
};

// Iterates the fields of one message. `base` is the message's offset in the outermost buffer, so
// that errors and fields carry absolute offsets.
class MessageReader {
 public:
  explicit MessageReader(ByteView message, std::size_t base = 0) : data_(message), base_(base) {}

  // Groups nested deeper than this fail (Limits::max_protobuf_group_depth; the default is
  // protobuf's own recursion limit, which content probes use).
  void limit_group_depth(std::uint32_t max_depth) { max_group_depth_ = max_depth; }

  // Prefix mode, for content probes on files that may be truncated: a length-delimited field that
  // runs past the end is returned cut at the end, and truncated() becomes true.
  void allow_truncated_tail() { allow_truncated_ = true; }
  bool truncated() const { return truncated_; }

  // True with the next field; false at the end of the message or on malformed input (then
  // error() is set and the reader stays failed).
  bool next(Field& out);
  const std::optional<Error>& error() const { return error_; }
  std::size_t base() const { return base_; }
  // Absolute offset of a payload returned in a Field, for nested readers.
  std::size_t absolute(ByteView inner) const {
    return base_ + static_cast<std::size_t>(inner.data() - data_.data());
  }

 private:
  bool fail(std::size_t at, std::string reason);
  bool skip_group(std::uint32_t number);
  std::uint32_t max_group_depth_ = Limits{}.max_protobuf_group_depth;
  bool allow_truncated_ = false;
  bool truncated_ = false;
  std::size_t group_end_ = 0;  // where the end tag of the group just skipped starts
  ByteView data_;
  std::size_t base_;
  std::size_t pos_ = 0;
  std::optional<Error> error_;
};

// Reads a base-128 varint of at most 10 bytes (bits beyond 64 are dropped, as protobuf does);
// false when truncated or longer than 10 bytes.
bool read_varint(ByteView data, std::size_t& pos, std::uint64_t& out);

// True when `bytes` is a syntactically valid message at the top level (every tag valid, every
// length inside the buffer, ending exactly at the end). Does not descend into len fields.
bool is_flat_message(ByteView bytes);

// True when every byte is printable ASCII or valid-looking UTF-8 text without control characters.
bool is_text(ByteView bytes);

}  // namespace modelgate::protowire
