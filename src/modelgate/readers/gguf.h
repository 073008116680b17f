#pragma once
// GGUF, versions 1 to 3 (ggml's docs/gguf.md), read strictly:
//   "GGUF" | u32 version | tensor count | metadata count | metadata key/values
//   | tensor infos | padding to general.alignment | tensor data, each tensor padded to alignment
// Counts, string lengths, array lengths and dimensions are u32 in version 1 and u64 from
// version 2 on. The parsed model borrows the file's bytes (strings are views into them): keep
// the bytes alive while using it. It is shared by the scanner, the chat-template analyser, the
// BOM and conversion.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/rule_id.h"
#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::gguf {

enum class ValueType : std::uint32_t {
  u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8,
  array = 9, u64 = 10, i64 = 11, f64 = 12,
};
std::string_view value_type_name(ValueType t);

struct Value;

struct Array {
  ValueType element = ValueType::u8;
  std::uint64_t count = 0;
  ByteView encoded;           // the elements as stored, after the element type and count
  bool wide_lengths = true;   // string lengths are u64 (version >= 2) rather than u32
  std::vector<Value> arrays;  // decoded elements, only when element == array
};

struct Value {
  ValueType type = ValueType::u8;
  std::uint64_t offset = 0;  // where the value starts in the file
  // Unsigned integers widen to u64, signed to i64, floats to double.
  std::variant<std::uint64_t, std::int64_t, double, bool, std::string_view, Array> data;

  const std::string_view* string() const { return std::get_if<std::string_view>(&data); }
  const Array* array() const { return std::get_if<Array>(&data); }
};

struct KeyValue {
  std::string_view key;
  std::uint64_t offset = 0;  // of the key
  Value value;
};

struct TensorInfo {
  std::string_view name;
  std::vector<std::uint64_t> dims;  // ne[0] first (the contiguous dimension)
  std::uint32_t type = 0;           // ggml_type id
  std::uint64_t offset = 0;         // relative to the data section
  std::uint64_t elements = 0;
  std::uint64_t bytes = 0;
  std::uint64_t info_offset = 0;    // where the tensor info starts in the file
};

// Something odd but not ambiguous: reported, does not stop the parse.
struct Anomaly {
  RuleId rule;
  std::uint64_t offset = 0;
  std::string message;
};

struct File {
  std::uint32_t version = 0;
  std::vector<KeyValue> metadata;   // in file order, keys unique
  std::vector<TensorInfo> tensors;  // in file order, names unique
  std::uint64_t alignment = 32;
  std::uint64_t data_start = 0;     // absolute offset of the data section
  std::uint64_t data_end = 0;       // end of the last tensor's padded range
  std::vector<Anomaly> anomalies;

  const Value* find(std::string_view key) const;
  std::optional<std::string_view> string(std::string_view key) const;
};

bool looks_like_gguf(ByteView bytes);  // the "GGUF" magic
// An error names the rule the file is refused under.
Expected<File> parse(ByteView bytes, const Limits& limits);

// The elements of a string array (already validated by parse).
std::vector<std::string_view> string_elements(const Array& a);

// Chat templates stored in the file: "tokenizer.chat_template" is named "default",
// "tokenizer.chat_template.<name>" is named <name>; a list of strings under either key gives one
// template per element ("<name>[i]"). A value of any other type is returned with text_value false.
struct ChatTemplate {
  std::string name;
  std::string_view text;
  std::uint64_t offset = 0;
  bool text_value = true;
};
std::vector<ChatTemplate> chat_templates(const File& file);
// Whether chat_templates() takes the value under `key` as a template.
bool is_chat_template_key(std::string_view key);


}  // namespace modelgate::gguf
