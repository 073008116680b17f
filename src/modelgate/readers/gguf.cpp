#include "readers/gguf.h"

#include <cstring>
#include <limits>
#include <unordered_set>

#include "core/byte_reader.h"
#include "readers/ggml_types.h"
#include "core/utf8.h"

namespace modelgate::gguf {

namespace {

constexpr std::size_t kMaxTensorName = 63;  // GGML_MAX_NAME (64) including the terminating NUL
constexpr std::uint64_t kDefaultAlignment = 32;
constexpr std::size_t kMaxKey = 65535;  // keys are at most 2^16 - 1 bytes (docs/gguf.md)
constexpr std::uint64_t kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

std::string quote_name(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s.substr(0, 80)) out += (c < 0x20 || c >= 0x7f) ? '?' : static_cast<char>(c);
  if (s.size() > 80) out += "...";
  return out + "\"";
}

bool known_type(std::uint32_t t, std::uint32_t version) {
  if (t <= static_cast<std::uint32_t>(ValueType::array)) return true;
  // 64-bit scalars arrived with version 2.
  return version >= 2 && t <= static_cast<std::uint32_t>(ValueType::f64);
}

std::uint64_t fixed_size(ValueType t) {
  switch (t) {
    case ValueType::u8: case ValueType::i8: case ValueType::boolean: return 1;
    case ValueType::u16: case ValueType::i16: return 2;
    case ValueType::u32: case ValueType::i32: case ValueType::f32: return 4;
    case ValueType::u64: case ValueType::i64: case ValueType::f64: return 8;
    case ValueType::string: case ValueType::array: return 0;
  }
  return 0;
}

bool mul_overflows(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  return __builtin_mul_overflow(a, b, &out);
}

bool align_up(std::uint64_t v, std::uint64_t alignment, std::uint64_t& out) {
  std::uint64_t r = v % alignment;
  if (r == 0) {
    out = v;
    return true;
  }
  return !__builtin_add_overflow(v, alignment - r, &out);
}

class Parser {
 public:
  Parser(ByteView bytes, const Limits& limits) : bytes_(bytes), r_(bytes), limits_(limits) {}

  Expected<File> run() {
    File file;
    if (read_header(file) && read_metadata(file) && read_tensor_infos(file) && check_data(file)) return file;
    return std::move(rejection_);
  }

 private:
  bool reject(RuleId rule, std::uint64_t offset, std::string reason) {
    rejection_ = parse_error(rule, offset, std::move(reason));
    return false;
  }
  bool truncated(std::uint64_t offset, const std::string& what) {
    return reject("MG-GGUF-TRUNCATED", offset, "the file ends inside " + what);
  }

  // A length or count field: u32 in version 1, u64 afterwards.
  bool read_size(std::uint64_t& out) {
    if (wide_) return r_.le(out);
    std::uint32_t v = 0;
    if (!r_.le(v)) return false;
    out = v;
    return true;
  }
  std::uint64_t size_width() const { return wide_ ? 8 : 4; }

  bool read_string(std::string_view& out, const std::string& what) {
    return read_string(out, [&] { return what; });
  }
  // `describe` names the string for error messages; it runs only when there is an error, which
  // keeps validating a 150k-token vocabulary cheap.
  template <class Describe>
  bool read_string(std::string_view& out, const Describe& describe) {
    std::uint64_t at = r_.offset();
    std::uint64_t len = 0;
    if (!read_size(len)) return truncated(at, "the length of " + describe());
    if (len > limits_.max_gguf_string)
      return reject("MG-LIMIT-EXCEEDED", at,
                    describe() + " is " + std::to_string(len) + " bytes long, over the limit of " +
                        std::to_string(limits_.max_gguf_string));
    ByteView b;
    if (!r_.bytes(len, b))
      return reject("MG-GGUF-COUNT", at,
                    describe() + " claims " + std::to_string(len) + " bytes but only " +
                        std::to_string(r_.remaining()) + " remain in the file");
    out = as_chars(b);
    return true;
  }

  bool read_header(File& file) {
    std::uint32_t magic = 0;
    if (!r_.le(magic) || std::memcmp(bytes_.data(), "GGUF", 4) != 0)
      return reject("MG-GGUF-HEADER", 0, "the file does not start with the GGUF magic");
    std::uint32_t version = 0;
    if (!r_.le(version)) return truncated(4, "the version field");
    if (version == 0 || version > 3) {
      std::uint32_t swapped = __builtin_bswap32(version);
      if (swapped >= 1 && swapped <= 3)
        return reject("MG-GGUF-HEADER", 4,
                      "big-endian GGUF (version " + std::to_string(swapped) +
                          ") is not supported; only little-endian files are read");
      return reject("MG-GGUF-HEADER", 4, "unsupported GGUF version " + std::to_string(version));
    }
    file.version = version;
    wide_ = version >= 2;
    if (!read_size(tensor_count_)) return truncated(8, "the tensor count");
    std::uint64_t kv_at = r_.offset();
    if (!read_size(kv_count_)) return truncated(kv_at, "the metadata count");
    if (tensor_count_ > limits_.max_tensors)
      return reject("MG-LIMIT-EXCEEDED", 8,
                    std::to_string(tensor_count_) + " tensors exceed the limit of " +
                        std::to_string(limits_.max_tensors));
    if (kv_count_ > limits_.max_gguf_metadata_entries)
      return reject("MG-LIMIT-EXCEEDED", kv_at,
                    std::to_string(kv_count_) + " metadata entries exceed the limit of " +
                        std::to_string(limits_.max_gguf_metadata_entries));
    // Every entry takes some bytes: refuse counts the file cannot hold before reserving memory.
    const std::uint64_t min_kv = size_width() + 4 + 1;
    const std::uint64_t min_tensor = size_width() + 4 + 4 + 8;
    std::uint64_t need_kv = 0, need_tensors = 0, need = 0;
    if (mul_overflows(kv_count_, min_kv, need_kv) || mul_overflows(tensor_count_, min_tensor, need_tensors) ||
        __builtin_add_overflow(need_kv, need_tensors, &need) || need > r_.remaining())
      return reject("MG-GGUF-COUNT", 8,
                    std::to_string(tensor_count_) + " tensors and " + std::to_string(kv_count_) +
                        " metadata entries cannot fit in the " + std::to_string(r_.remaining()) +
                        " bytes that follow the header");
    return true;
  }

  bool read_metadata(File& file) {
    std::unordered_set<std::string_view> seen;
    for (std::uint64_t i = 0; i < kv_count_; ++i) {
      KeyValue kv;
      kv.offset = r_.offset();
      if (!read_string(kv.key, "metadata key " + std::to_string(i))) return false;
      if (kv.key.empty()) return reject("MG-GGUF-KEY", kv.offset, "metadata key " + std::to_string(i) + " is empty");
      if (kv.key.size() > kMaxKey)
        return reject("MG-GGUF-KEY", kv.offset,
                      "metadata key " + std::to_string(i) + " is " + std::to_string(kv.key.size()) +
                          " bytes long; the specification allows at most " + std::to_string(kMaxKey));
      if (!is_utf8(kv.key))
        return reject("MG-GGUF-KEY", kv.offset, "metadata key " + std::to_string(i) + " is not valid UTF-8");
      if (!seen.insert(kv.key).second)
        return reject("MG-GGUF-DUPLICATE-KEY", kv.offset, "metadata key " + quote_name(kv.key) + " appears twice");
      std::uint64_t type_at = r_.offset();
      std::uint32_t type = 0;
      if (!r_.le(type)) return truncated(type_at, "the value type of " + quote_name(kv.key));
      if (!read_value(type, type_at, kv.key, 0, kv.value, file)) return false;
      file.metadata.push_back(std::move(kv));
    }
    return true;
  }

  bool read_value(std::uint32_t raw_type, std::uint64_t type_at, std::string_view key, std::uint32_t depth,
                  Value& out, File& file) {
    if (!known_type(raw_type, file.version))
      return reject("MG-GGUF-VALUE-TYPE", type_at,
                    "value of " + quote_name(key) + " has the unknown type " + std::to_string(raw_type) +
                        " for GGUF version " + std::to_string(file.version));
    const auto type = static_cast<ValueType>(raw_type);
    out.type = type;
    out.offset = r_.offset();
    const std::string what = "the value of " + quote_name(key);
    switch (type) {
      case ValueType::u8: return scalar<std::uint8_t, std::uint64_t>(out, what);
      case ValueType::i8: return scalar<std::int8_t, std::int64_t>(out, what);
      case ValueType::u16: return scalar<std::uint16_t, std::uint64_t>(out, what);
      case ValueType::i16: return scalar<std::int16_t, std::int64_t>(out, what);
      case ValueType::u32: return scalar<std::uint32_t, std::uint64_t>(out, what);
      case ValueType::i32: return scalar<std::int32_t, std::int64_t>(out, what);
      case ValueType::u64: return scalar<std::uint64_t, std::uint64_t>(out, what);
      case ValueType::i64: return scalar<std::int64_t, std::int64_t>(out, what);
      case ValueType::f32: return scalar<float, double>(out, what);
      case ValueType::f64: return scalar<double, double>(out, what);
      case ValueType::boolean: {
        std::uint8_t b = 0;
        if (!r_.u8(b)) return truncated(out.offset, what);
        if (b > 1)
          return reject("MG-GGUF-VALUE", out.offset,
                        what + " is a bool stored as " + std::to_string(b) + " (must be 0 or 1)");
        out.data = b == 1;
        return true;
      }
      case ValueType::string: {
        std::string_view s;
        if (!read_string(s, what)) return false;
        note_encoding(s, out.offset, key, file);
        out.data = s;
        return true;
      }
      case ValueType::array: return read_array(key, depth, out, file);
    }
    return false;
  }

  template <class Stored, class Widened>
  bool scalar(Value& out, const std::string& what) {
    Stored v{};
    if (!r_.le(v)) return truncated(out.offset, what);
    out.data = static_cast<Widened>(v);
    return true;
  }

  void note_encoding(std::string_view s, std::uint64_t at, std::string_view key, File& file) {
    if (is_utf8(s) || flagged_keys_.count(key)) return;
    flagged_keys_.insert(key);
    file.anomalies.push_back({"MG-GGUF-STRING-ENCODING", at,
                              "a string in the value of " + quote_name(key) + " is not valid UTF-8"});
  }

  bool read_array(std::string_view key, std::uint32_t depth, Value& out, File& file) {
    const std::uint64_t at = out.offset;
    const std::string what = "the array value of " + quote_name(key);
    if (depth >= limits_.max_gguf_array_depth)
      return reject("MG-LIMIT-EXCEEDED", at,
                    what + " nests arrays deeper than the limit of " +
                        std::to_string(limits_.max_gguf_array_depth));
    std::uint32_t raw_element = 0;
    if (!r_.le(raw_element)) return truncated(at, "the element type of " + what);
    if (!known_type(raw_element, file.version))
      return reject("MG-GGUF-VALUE-TYPE", at,
                    what + " has the unknown element type " + std::to_string(raw_element));
    Array a;
    a.element = static_cast<ValueType>(raw_element);
    a.wide_lengths = wide_;
    const std::uint64_t count_at = r_.offset();
    if (!read_size(a.count)) return truncated(count_at, "the length of " + what);
    if (a.count > limits_.max_gguf_array_length)
      return reject("MG-LIMIT-EXCEEDED", count_at,
                    what + " has " + std::to_string(a.count) + " elements, over the limit of " +
                        std::to_string(limits_.max_gguf_array_length));
    std::uint64_t min_element = fixed_size(a.element);
    if (a.element == ValueType::string) min_element = size_width();
    if (a.element == ValueType::array) min_element = 4 + size_width();
    std::uint64_t need = 0;
    if (mul_overflows(a.count, min_element, need) || need > r_.remaining())
      return reject("MG-GGUF-COUNT", count_at,
                    what + " claims " + std::to_string(a.count) + " elements of type " +
                        std::string(value_type_name(a.element)) + " but only " +
                        std::to_string(r_.remaining()) + " bytes remain in the file");
    const std::size_t start = r_.offset();
    switch (a.element) {
      case ValueType::boolean:
        for (std::uint64_t i = 0; i < a.count; ++i) {
          std::uint8_t b = 0;
          std::uint64_t b_at = r_.offset();
          if (!r_.u8(b)) return truncated(b_at, what);
          if (b > 1)
            return reject("MG-GGUF-VALUE", b_at,
                          what + ": element " + std::to_string(i) + " is a bool stored as " +
                              std::to_string(b) + " (must be 0 or 1)");
        }
        break;
      case ValueType::string:
        for (std::uint64_t i = 0; i < a.count; ++i) {
          std::uint64_t s_at = r_.offset();
          std::string_view s;
          if (!read_string(s, [&] { return "element " + std::to_string(i) + " of " + what; })) return false;
          note_encoding(s, s_at, key, file);
        }
        break;
      case ValueType::array: {
        if (a.count > limits_.max_gguf_nested_arrays - nested_arrays_)
          return reject("MG-LIMIT-EXCEEDED", count_at,
                        what + " brings the number of nested arrays over the limit of " +
                            std::to_string(limits_.max_gguf_nested_arrays));
        nested_arrays_ += a.count;
        for (std::uint64_t i = 0; i < a.count; ++i) {
          Value inner;
          std::uint64_t inner_at = r_.offset();
          // Elements of an array of arrays carry no type tag of their own: each is an array.
          if (!read_value(static_cast<std::uint32_t>(ValueType::array), inner_at, key, depth + 1, inner, file))
            return false;
          inner.offset = inner_at;
          a.arrays.push_back(std::move(inner));
        }
        break;
      }
      default:
        if (!r_.skip(need)) return truncated(start, what);  // checked above; kept for clarity
        break;
    }
    a.encoded = bytes_.subspan(start, r_.offset() - start);
    out.data = std::move(a);
    return true;
  }

  bool read_tensor_infos(File& file) {
    std::unordered_set<std::string_view> names;
    for (std::uint64_t i = 0; i < tensor_count_; ++i) {
      TensorInfo t;
      t.info_offset = r_.offset();
      const std::string which = "tensor info " + std::to_string(i);
      if (!read_string(t.name, "the name of " + which)) return false;
      const std::string who = "tensor " + quote_name(t.name);
      if (t.name.size() > kMaxTensorName)
        return reject("MG-GGUF-TENSOR-NAME", t.info_offset,
                      who + ": the name is " + std::to_string(t.name.size()) +
                          " bytes long; ggml allows at most " + std::to_string(kMaxTensorName));
      if (!is_utf8(t.name))
        return reject("MG-GGUF-TENSOR-NAME", t.info_offset, which + ": the name is not valid UTF-8");
      if (!names.insert(t.name).second)
        return reject("MG-GGUF-TENSOR-NAME", t.info_offset, who + " is defined twice");
      std::uint32_t n_dims = 0;
      if (!r_.le(n_dims)) return truncated(r_.offset(), "the dimension count of " + who);
      if (n_dims > limits_.max_gguf_dims)
        return reject("MG-GGUF-TENSOR-SHAPE", t.info_offset,
                      who + " has " + std::to_string(n_dims) + " dimensions, more than max_gguf_dims (" +
                          std::to_string(limits_.max_gguf_dims) + ", ggml's GGML_MAX_DIMS)");
      t.elements = 1;
      for (std::uint32_t d = 0; d < n_dims; ++d) {
        std::uint64_t dim = 0;
        if (!read_size(dim)) return truncated(r_.offset(), "the dimensions of " + who);
        if (dim > kInt64Max)
          return reject("MG-GGUF-TENSOR-SHAPE", t.info_offset,
                        who + ": dimension " + std::to_string(d) + " is negative");
        t.dims.push_back(dim);
        if (dim != 0 && t.elements > kInt64Max / dim)
          return reject("MG-GGUF-TENSOR-SHAPE", t.info_offset, who + ": the element count overflows");
        t.elements *= dim;
      }
      if (!r_.le(t.type)) return truncated(r_.offset(), "the type of " + who);
      auto type = ggml_type(t.type);
      if (!type)
        return reject("MG-GGUF-TENSOR-TYPE", t.info_offset,
                      who + " has the unknown ggml type " + std::to_string(t.type));
      if (type->block_elements == 0)
        return reject("MG-GGUF-TENSOR-TYPE", t.info_offset,
                      who + " has the ggml type " + std::string(type->name) + " (" +
                          std::to_string(t.type) + "), which ggml no longer supports");
      std::uint64_t row = t.dims.empty() ? 1 : t.dims[0];
      if (row % type->block_elements != 0)
        return reject("MG-GGUF-TENSOR-SHAPE", t.info_offset,
                      who + ": a row of " + std::to_string(row) + " elements is not a multiple of the " +
                          std::string(type->name) + " block size " + std::to_string(type->block_elements));
      if (mul_overflows(t.elements / type->block_elements, type->block_bytes, t.bytes))
        return reject("MG-GGUF-TENSOR-SHAPE", t.info_offset, who + ": the byte size overflows");
      if (!r_.le(t.offset)) return truncated(r_.offset(), "the data offset of " + who);
      file.tensors.push_back(std::move(t));
    }
    return true;
  }

  bool read_alignment(File& file) {
    file.alignment = kDefaultAlignment;
    for (const KeyValue& kv : file.metadata) {
      if (kv.key != "general.alignment") continue;
      const auto* v = std::get_if<std::uint64_t>(&kv.value.data);
      if (kv.value.type != ValueType::u32 || v == nullptr)
        return reject("MG-GGUF-ALIGNMENT", kv.offset,
                      "general.alignment is of type " + std::string(value_type_name(kv.value.type)) +
                          ", not uint32");
      if (*v == 0 || (*v & (*v - 1)) != 0)
        return reject("MG-GGUF-ALIGNMENT", kv.value.offset,
                      "general.alignment is " + std::to_string(*v) + ", not a power of two");
      file.alignment = *v;
    }
    return true;
  }

  // Padding must be zero: writers emit zeros, and anything else is data no loader reads.
  void check_padding(std::uint64_t from, std::uint64_t to, File& file, const std::string& where) {
    to = std::min<std::uint64_t>(to, bytes_.size());
    for (std::uint64_t i = from; i < to; ++i)
      if (bytes_[i] != 0) {
        file.anomalies.push_back({"MG-GGUF-PADDING", i, "non-zero padding " + where});
        return;
      }
  }

  bool check_data(File& file) {
    if (!read_alignment(file)) return false;
    const std::uint64_t infos_end = r_.offset();
    if (!align_up(infos_end, file.alignment, file.data_start))
      return reject("MG-GGUF-ALIGNMENT", infos_end, "the data section offset overflows");
    const std::uint64_t size = bytes_.size();

    std::uint64_t expected = 0;  // ggml lays tensors out in info order, each padded to alignment
    for (std::size_t i = 0; i < file.tensors.size(); ++i) {
      const TensorInfo& t = file.tensors[i];
      const std::string who = "tensor " + quote_name(t.name);
      if (t.offset != expected)
        return reject("MG-GGUF-TENSOR-OFFSET", t.info_offset,
                      who + " starts at data offset " + std::to_string(t.offset) + ", expected " +
                          std::to_string(expected) +
                          " (tensors follow each other in order, each padded to " +
                          std::to_string(file.alignment) + " bytes)");
      std::uint64_t end = 0, padded = 0;
      if (__builtin_add_overflow(t.offset, t.bytes, &end) || !align_up(end, file.alignment, padded))
        return reject("MG-GGUF-TENSOR-BOUNDS", t.info_offset, who + ": the data range overflows");
      std::uint64_t abs_end = 0;
      if (__builtin_add_overflow(file.data_start, end, &abs_end) || abs_end > size)
        return reject("MG-GGUF-TENSOR-BOUNDS", t.info_offset,
                      who + ": " + std::to_string(t.bytes) + " bytes at data offset " +
                          std::to_string(t.offset) + " end past the end of the file (data starts at " +
                          std::to_string(file.data_start) + ", file size " + std::to_string(size) + ")");
      expected = padded;
    }
    if (__builtin_add_overflow(file.data_start, expected, &file.data_end))
      return reject("MG-GGUF-TENSOR-BOUNDS", infos_end, "the data section size overflows");

    if (file.tensors.empty() && size <= file.data_start) {
      file.data_end = size;  // no data section at all: the file may stop right after the infos
    } else if (file.data_start > size) {
      return reject("MG-GGUF-TENSOR-BOUNDS", infos_end, "the data section starts past the end of the file");
    }
    check_padding(infos_end, file.data_start, file, "before the data section");
    for (const TensorInfo& t : file.tensors) {
      std::uint64_t end = file.data_start + t.offset + t.bytes;
      std::uint64_t padded = 0;
      align_up(end - file.data_start, file.alignment, padded);
      check_padding(end, file.data_start + padded, file, "after tensor " + quote_name(t.name));
    }
    if (size > file.data_end)
      file.anomalies.push_back({"MG-GGUF-TRAILING-DATA", file.data_end,
                                std::to_string(size - file.data_end) +
                                    " bytes follow the last tensor and belong to nothing"});
    return true;
  }

  ByteView bytes_;
  ByteReader r_;
  const Limits& limits_;
  bool wide_ = true;
  std::uint64_t tensor_count_ = 0;
  std::uint64_t kv_count_ = 0;
  std::uint64_t nested_arrays_ = 0;
  std::unordered_set<std::string_view> flagged_keys_;
  Error rejection_;
};

}  // namespace

std::string_view value_type_name(ValueType t) {
  switch (t) {
    case ValueType::u8: return "uint8";
    case ValueType::i8: return "int8";
    case ValueType::u16: return "uint16";
    case ValueType::i16: return "int16";
    case ValueType::u32: return "uint32";
    case ValueType::i32: return "int32";
    case ValueType::f32: return "float32";
    case ValueType::boolean: return "bool";
    case ValueType::string: return "string";
    case ValueType::array: return "array";
    case ValueType::u64: return "uint64";
    case ValueType::i64: return "int64";
    case ValueType::f64: return "float64";
  }
  return "?";
}

const Value* File::find(std::string_view key) const {
  for (const KeyValue& kv : metadata)
    if (kv.key == key) return &kv.value;
  return nullptr;
}

std::optional<std::string_view> File::string(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr || v->string() == nullptr) return std::nullopt;
  return *v->string();
}

std::vector<std::string_view> string_elements(const Array& a) {
  std::vector<std::string_view> out;
  if (a.element != ValueType::string) return out;
  ByteReader r(a.encoded);
  for (std::uint64_t i = 0; i < a.count; ++i) {
    std::uint64_t len = 0;
    if (a.wide_lengths) {
      if (!r.le(len)) break;
    } else {
      std::uint32_t l32 = 0;
      if (!r.le(l32)) break;
      len = l32;
    }
    ByteView b;
    if (!r.bytes(len, b)) break;
    out.push_back(as_chars(b));
  }
  return out;
}

namespace {
constexpr std::string_view kChatTemplateKey = "tokenizer.chat_template";
}

bool is_chat_template_key(std::string_view key) {
  if (key.substr(0, kChatTemplateKey.size()) != kChatTemplateKey) return false;
  std::string_view rest = key.substr(kChatTemplateKey.size());
  return rest.empty() || (rest.front() == '.' && rest.size() > 1);  // not e.g. "tokenizer.chat_templates"
}

std::vector<ChatTemplate> chat_templates(const File& file) {
  std::vector<ChatTemplate> out;
  for (const KeyValue& kv : file.metadata) {
    if (!is_chat_template_key(kv.key)) continue;
    std::string_view rest = kv.key.substr(kChatTemplateKey.size());
    std::string name = rest.empty() ? std::string("default") : std::string(rest.substr(1));
    if (const auto* text = kv.value.string()) {
      out.push_back({std::move(name), *text, kv.value.offset, true});
    } else if (const Array* a = kv.value.array(); a != nullptr && a->element == ValueType::string) {
      // A template stored as a list of strings: every element is a template a reader could take.
      std::size_t i = 0;
      for (std::string_view element : string_elements(*a))
        out.push_back({name + "[" + std::to_string(i++) + "]", element, kv.value.offset, true});
    } else {
      out.push_back({std::move(name), {}, kv.value.offset, false});
    }
  }
  return out;
}

bool looks_like_gguf(ByteView bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), "GGUF", 4) == 0;
}

Expected<File> parse(ByteView bytes, const Limits& limits) { return Parser(bytes, limits).run(); }

}  // namespace modelgate::gguf
