#pragma once
// The safetensors format, read strictly:
//   u64 little-endian N | N bytes of JSON header | byte buffer
// The header maps tensor names to {dtype, shape, data_offsets} (offsets relative to the buffer)
// and may hold "__metadata__", a string-to-string map. The parsed model is shared by the
// scanner, the BOM, conversion and signing: parse once, reuse.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::safetensors {

enum class Dtype : std::uint8_t {
  BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16,
  I32, U32, F32, C64, F64, I64, U64,
};

std::string_view dtype_name(Dtype d);
unsigned dtype_bits(Dtype d);  // bits per element; sub-byte types pack
std::optional<Dtype> parse_dtype(std::string_view name);

struct Tensor {
  std::string name;
  Dtype dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t elements = 1;
  std::uint64_t begin = 0;  // data_offsets, relative to the buffer
  std::uint64_t end = 0;
  std::uint64_t header_offset = 0;  // where the entry's key sits in the file

  std::uint64_t byte_size() const { return end - begin; }
};

struct File {
  std::uint64_t header_length = 0;  // N
  std::uint64_t buffer_start = 0;   // 8 + N: absolute offset of the byte buffer
  std::uint64_t buffer_size = 0;
  std::vector<Tensor> tensors;      // ordered by data offset
  std::map<std::string, std::string> metadata;
  bool has_metadata = false;

  const Tensor* find(std::string_view name) const;
};

// 8-byte little-endian length followed by '{' with a plausible length (below 2^40).
bool looks_like_safetensors(ByteView bytes);

// Validates the whole layout without touching tensor data beyond the header. An error names the
// rule the file is refused under.
Expected<File> parse(ByteView bytes, const Limits& limits);

}  // namespace modelgate::safetensors
