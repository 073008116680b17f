#pragma once
// ggml tensor element types as stored in GGUF tensor infos: block size (elements per block)
// and bytes per block, from ggml's type traits (ggml.h / ggml-common.h block structs).
#include <cstdint>
#include <optional>
#include <string_view>

namespace modelgate::gguf {

struct GgmlType {
  std::uint32_t id;
  std::string_view name;
  std::uint32_t block_elements;  // 0 for ids that ggml has removed
  std::uint32_t block_bytes;
};

// nullopt for ids ggml never defined; a type with block_elements == 0 was removed from ggml.
std::optional<GgmlType> ggml_type(std::uint32_t id);

}  // namespace modelgate::gguf
