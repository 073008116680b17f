#pragma once
// Resource bounds for every parser. They travel in the scan context; there is no global state.
#include <cstdint>

namespace modelgate {

struct Limits {
  // Containers and nesting
  std::uint32_t max_nesting_depth = 8;            // archives in archives, payloads in pickles
  std::uint64_t max_total_unpacked = 64ull << 30;  // bytes decompressed across one top-level artifact
  std::uint64_t max_member_unpacked = 16ull << 30;
  std::uint32_t max_archive_members = 100000;
  std::uint32_t max_compression_ratio = 1000;     // unpacked / packed for one member
  // Pickle machine
  std::uint64_t max_pickle_opcodes = 1ull << 32;
  std::uint32_t max_pickle_stack = 1u << 22;       // values on the stack at once
  std::uint32_t max_pickle_marks = 1u << 16;       // nested MARKs
  std::uint32_t max_pickle_memo = 1u << 24;        // memo entries
  std::uint32_t max_pickle_nodes = 1u << 24;       // retained composite values
  std::uint32_t max_trailing_pickles = 16;        // pickles analysed after the first STOP
  // Data-only tensor formats (safetensors, GGUF) and strict JSON
  std::uint64_t max_safetensors_header = 100'000'000;  // the reference loader's own cap
  std::uint64_t max_tensors = 1u << 20;                // per file
  std::uint64_t max_gguf_metadata_entries = 1u << 20;
  std::uint64_t max_gguf_array_length = 1u << 26;      // elements in one array
  std::uint64_t max_gguf_nested_arrays = 1u << 20;     // inner arrays kept in memory, per file
  std::uint32_t max_gguf_array_depth = 4;              // arrays of arrays of ...
  std::uint64_t max_gguf_string = 1u << 26;            // bytes in one string
  // Chat templates, JSON configs, Python sources, model cards
  std::uint64_t max_template_bytes = 1u << 20;
  std::uint32_t max_template_tokens = 1u << 18;
  std::uint32_t max_template_depth = 64;          // nesting of blocks and expressions
  std::uint64_t max_json_bytes = 512ull << 20;    // tokenizer.json files reach tens of MiB
  std::uint32_t max_json_depth = 128;
  std::uint64_t max_python_bytes = 4u << 20;       // tokens are kept in memory (32 B each)
};

}  // namespace modelgate
