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
};

}  // namespace modelgate
