#include "readers/safetensors.h"

#include <algorithm>
#include <array>
#include <limits>

#include "core/byte_reader.h"
#include "core/strict_json.h"

namespace modelgate::safetensors {

namespace {

using json = nlohmann::json;

struct DtypeInfo {
  Dtype dtype;
  std::string_view name;
  unsigned bits;
};

constexpr std::array<DtypeInfo, 20> kDtypes = {{
    {Dtype::BOOL, "BOOL", 8},       {Dtype::F4, "F4", 4},
    {Dtype::F6_E2M3, "F6_E2M3", 6}, {Dtype::F6_E3M2, "F6_E3M2", 6},
    {Dtype::U8, "U8", 8},           {Dtype::I8, "I8", 8},
    {Dtype::F8_E5M2, "F8_E5M2", 8}, {Dtype::F8_E4M3, "F8_E4M3", 8},
    {Dtype::F8_E8M0, "F8_E8M0", 8}, {Dtype::I16, "I16", 16},
    {Dtype::U16, "U16", 16},        {Dtype::F16, "F16", 16},
    {Dtype::BF16, "BF16", 16},      {Dtype::I32, "I32", 32},
    {Dtype::U32, "U32", 32},        {Dtype::F32, "F32", 32},
    {Dtype::C64, "C64", 64},        {Dtype::F64, "F64", 64},
    {Dtype::I64, "I64", 64},        {Dtype::U64, "U64", 64},
}};

constexpr std::string_view kMetadataKey = "__metadata__";

std::string quote_name(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s.substr(0, 120)) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  if (s.size() > 120) out += "...";
  return out + "\"";
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size() && i < 8; ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() > 8 ? ", ...]" : "]");
}

std::string json_kind(const json& v) {
  if (v.is_number_float()) return "a non-integer number";
  if (v.is_number_integer() && v.get<std::int64_t>() < 0) return "a negative number";
  return std::string("a") + (v.is_object() ? "n " : " ") + v.type_name();
}

// A non-negative integer that fits in u64.
std::optional<std::uint64_t> as_u64(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    if (i >= 0) return static_cast<std::uint64_t>(i);
  }
  return std::nullopt;
}

class Validator {
 public:
  Validator(ByteView bytes, const Limits& limits) : bytes_(bytes), limits_(limits) {}

  Expected<File> run() {
    File file;
    if (!read_header_length(file) || !read_header(file)) return std::move(rejection_);
    return file;
  }

 private:
  bool reject(RuleId rule, std::uint64_t offset, std::string reason) {
    rejection_ = parse_error(rule, offset, std::move(reason));
    return false;
  }

  bool read_header_length(File& file) {
    ByteReader r(bytes_);
    std::uint64_t n = 0;
    if (!r.le(n))
      return reject("MG-SAFETENSORS-HEADER-SIZE", 0,
                    "the file has " + std::to_string(bytes_.size()) +
                        " bytes, fewer than the 8-byte header length");
    if (n < 2)
      return reject("MG-SAFETENSORS-HEADER-SIZE", 0,
                    "header length " + std::to_string(n) + " cannot hold a JSON object");
    if (n > limits_.max_safetensors_header)
      return reject("MG-SAFETENSORS-HEADER-SIZE", 0,
                    "header length " + std::to_string(n) + " exceeds the limit of " +
                        std::to_string(limits_.max_safetensors_header) + " bytes");
    if (n > r.remaining())
      return reject("MG-SAFETENSORS-HEADER-SIZE", 0,
                    "header length " + std::to_string(n) + " extends past the end of the file (" +
                        std::to_string(r.remaining()) + " bytes follow the length)");
    file.header_length = n;
    file.buffer_start = 8 + n;
    file.buffer_size = bytes_.size() - file.buffer_start;
    return true;
  }

  bool read_header(File& file) {
    std::string_view text = as_chars(bytes_.subspan(8, file.header_length));
    if (text.front() != '{')
      return reject("MG-SAFETENSORS-HEADER-JSON", 8, "the header does not start with '{'");
    // A tensor entry takes 7 values plus its dimensions; the allowance covers 8-dimensional
    // tensors at the tensor limit and a large __metadata__.
    std::uint64_t max_values = std::numeric_limits<std::uint64_t>::max();
    if (limits_.max_tensors < (max_values >> 5)) max_values = limits_.max_tensors * 16 + (1u << 20);
    JsonReadOptions options;
    options.max_depth = limits_.max_json_depth;
    options.max_values = max_values;
    options.python_constants = false;  // the reference loader (serde_json) rejects NaN/Infinity
    options.duplicate_key_rule = "MG-SAFETENSORS-DUPLICATE-KEY";
    // Each entry is checked as it is read and then dropped (a header holds up to max_tensors of
    // them). The order of the refusals is that of reading the whole header first: a JSON error
    // anywhere, then the tensor count, then the first entry that is wrong.
    std::uint64_t tensor_count = 0;
    bool entry_failed = false;
    options.member_visitor = [&](const std::string& key, std::uint64_t at, json&& value) {
      if (key != kMetadataKey) ++tensor_count;
      if (entry_failed || tensor_count > limits_.max_tensors) return;
      const std::uint64_t offset = 8 + at;
      if (key == kMetadataKey) {
        entry_failed = !read_metadata(value, offset, file);
        return;
      }
      Tensor t;
      t.name = key;
      t.header_offset = offset;
      entry_failed = !read_tensor(value, t, file);
      if (!entry_failed) file.tensors.push_back(std::move(t));
    };
    auto parsed = read_strict_json(text, options);
    if (!parsed) {
      const Error& e = parsed.error();
      return reject(e.rule.empty() ? RuleId("MG-SAFETENSORS-HEADER-JSON") : e.rule, 8 + e.offset, "header: " + e.reason);
    }
    if (!parsed->value.is_object())
      return reject("MG-SAFETENSORS-HEADER-JSON", 8, "the header is not a JSON object");
    if (tensor_count > limits_.max_tensors)
      return reject("MG-LIMIT-EXCEEDED", 8,
                    std::to_string(tensor_count) + " tensors exceed the limit of " +
                        std::to_string(limits_.max_tensors));
    if (entry_failed) return false;  // an entry's refusal, which a later JSON error would have replaced
    return check_layout(file);
  }

  bool read_metadata(const json& value, std::uint64_t offset, File& file) {
    if (!value.is_object())
      return reject("MG-SAFETENSORS-METADATA", offset,
                    "__metadata__ is " + json_kind(value) + ", not a string-to-string map");
    for (const auto& [k, v] : value.items()) {
      if (!v.is_string())
        return reject("MG-SAFETENSORS-METADATA", offset,
                      "__metadata__ entry " + quote_name(k) + " is " + json_kind(v) + ", not a string");
      file.metadata.emplace(k, v.get<std::string>());
    }
    file.has_metadata = true;
    return true;
  }

  bool read_tensor(const json& value, Tensor& t, const File& file) {
    const std::string who = "tensor " + quote_name(t.name);
    const std::uint64_t at = t.header_offset;
    if (!value.is_object())
      return reject("MG-SAFETENSORS-TENSOR-ENTRY", at, who + " is " + json_kind(value) + ", not an object");
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string& k = it.key();
      if (k != "dtype" && k != "shape" && k != "data_offsets")
        return reject("MG-SAFETENSORS-TENSOR-ENTRY", at, who + " has an unknown key " + quote_name(k));
    }
    for (const char* required : {"dtype", "shape", "data_offsets"})
      if (!value.contains(required))
        return reject("MG-SAFETENSORS-TENSOR-ENTRY", at,
                      who + " has no \"" + std::string(required) + "\"");

    const json& dtype = value.at("dtype");
    if (!dtype.is_string())
      return reject("MG-SAFETENSORS-DTYPE", at, who + ": dtype is " + json_kind(dtype) + ", not a string");
    auto d = parse_dtype(dtype.get_ref<const std::string&>());
    if (!d)
      return reject("MG-SAFETENSORS-DTYPE", at,
                    who + " has the unknown dtype " + quote_name(dtype.get_ref<const std::string&>()));
    t.dtype = *d;

    const json& shape = value.at("shape");
    if (!shape.is_array())
      return reject("MG-SAFETENSORS-SHAPE", at, who + ": shape is " + json_kind(shape) + ", not an array");
    t.elements = 1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      auto dim = as_u64(shape[i]);
      if (!dim)
        return reject("MG-SAFETENSORS-SHAPE", at,
                      who + ": dimension " + std::to_string(i) + " is " + json_kind(shape[i]) +
                          ", not a non-negative integer");
      t.shape.push_back(*dim);
      if (*dim != 0 && t.elements > std::numeric_limits<std::uint64_t>::max() / *dim)
        return reject("MG-SAFETENSORS-SHAPE", at, who + ": the element count overflows 64 bits");
      t.elements *= *dim;
    }
    unsigned bits = dtype_bits(t.dtype);
    if (t.elements > std::numeric_limits<std::uint64_t>::max() / bits)
      return reject("MG-SAFETENSORS-SHAPE", at, who + ": the byte size overflows 64 bits");
    std::uint64_t total_bits = t.elements * bits;
    if (total_bits % 8 != 0)
      return reject("MG-SAFETENSORS-SHAPE", at,
                    who + ": " + std::to_string(t.elements) + " elements of " +
                        std::string(dtype_name(t.dtype)) + " are not a whole number of bytes");
    std::uint64_t expected = total_bits / 8;

    const json& offsets = value.at("data_offsets");
    if (!offsets.is_array() || offsets.size() != 2)
      return reject("MG-SAFETENSORS-TENSOR-ENTRY", at,
                    who + ": data_offsets is " + json_kind(offsets) + ", not a pair [begin, end]");
    auto begin = as_u64(offsets[0]);
    auto end = as_u64(offsets[1]);
    if (!begin || !end)
      return reject("MG-SAFETENSORS-TENSOR-ENTRY", at,
                    who + ": data_offsets must hold two non-negative integers, found " +
                        json_kind(begin ? offsets[1] : offsets[0]));
    t.begin = *begin;
    t.end = *end;
    if (t.end < t.begin)
      return reject("MG-SAFETENSORS-SIZE-MISMATCH", at,
                    who + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                        "] end before they begin");
    if (t.end - t.begin != expected)
      return reject("MG-SAFETENSORS-SIZE-MISMATCH", at,
                    who + ": " + std::string(dtype_name(t.dtype)) + " " + shape_text(t.shape) + " needs " +
                        std::to_string(expected) + " bytes but data_offsets span " +
                        std::to_string(t.end - t.begin));
    if (t.end > file.buffer_size)
      return reject("MG-SAFETENSORS-OUT-OF-BOUNDS", at,
                    who + ": data_offsets end at " + std::to_string(t.end) +
                        ", past the end of the " + std::to_string(file.buffer_size) + "-byte buffer");
    return true;
  }

  // Tensors must tile the buffer exactly: no byte read twice, no byte left unexplained.
  bool check_layout(File& file) {
    std::stable_sort(file.tensors.begin(), file.tensors.end(), [](const Tensor& a, const Tensor& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t covered = 0;
    const Tensor* previous = nullptr;
    for (const Tensor& t : file.tensors) {
      if (t.begin < covered)
        return reject("MG-SAFETENSORS-OVERLAP", t.header_offset,
                      "tensor " + quote_name(t.name) + " [" + std::to_string(t.begin) + ", " +
                          std::to_string(t.end) + ") overlaps tensor " + quote_name(previous->name) +
                          ", which ends at " + std::to_string(covered));
      if (t.begin > covered)
        return reject("MG-SAFETENSORS-GAP", file.buffer_start + covered,
                      std::to_string(t.begin - covered) + " bytes at buffer offset " +
                          std::to_string(covered) + " before tensor " + quote_name(t.name) +
                          " belong to no tensor");
      covered = t.end;
      previous = &t;
    }
    if (covered != file.buffer_size)
      return reject("MG-SAFETENSORS-GAP", file.buffer_start + covered,
                    std::to_string(file.buffer_size - covered) +
                        " bytes at the end of the buffer belong to no tensor");
    return true;
  }

  ByteView bytes_;
  const Limits& limits_;
  Error rejection_;
};

}  // namespace

std::string_view dtype_name(Dtype d) {
  for (const auto& info : kDtypes)
    if (info.dtype == d) return info.name;
  return "?";
}

unsigned dtype_bits(Dtype d) {
  for (const auto& info : kDtypes)
    if (info.dtype == d) return info.bits;
  return 8;
}

std::optional<Dtype> parse_dtype(std::string_view name) {
  for (const auto& info : kDtypes)
    if (info.name == name) return info.dtype;
  return std::nullopt;
}

const Tensor* File::find(std::string_view name) const {
  for (const Tensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

bool looks_like_safetensors(ByteView bytes) {
  if (bytes.size() < 9 || bytes[8] != '{') return false;
  // A little-endian length below 2^40: the top three bytes are zero. Text that happens to have
  // '{' at offset 8 gives an astronomically large length and is not mistaken for safetensors.
  return bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0 && (bytes[0] | bytes[1] | bytes[2] | bytes[3] | bytes[4]) != 0;
}

Expected<File> parse(ByteView bytes, const Limits& limits) { return Validator(bytes, limits).run(); }

}  // namespace modelgate::safetensors
