#pragma once
// Hashes byte ranges of files on a small pool of threads with sequential pread()s. Ranges are taken
// largest first so that one big file does not leave the other cores idle at the end.
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "sign/encoding.h"
#include "sign/hash_algorithm.h"
#include "sign/result.h"

namespace modelgate::sign {

struct HashRange {
  std::filesystem::path path;
  std::uint64_t start = 0, end = 0;
  struct stat listed {};  // the file as the walk saw it: the one read must still be this version
  bool follow_symlinks = false;
};

struct HashOptions {
  unsigned threads = 0;                     // 0: one per core
  // Bytes per pread() per thread. 64 KiB keeps the buffer in the core's L2 cache between the kernel's
  // copy and the hash: measured here, 4 MiB reads cost ~35% more CPU per byte than 64 KiB ones
  // (the copy evicts what SHA-256 then has to fetch again), and 64 KiB matched mmap.
  std::size_t read_size = 64u << 10;
  bool show_progress = false;  // bytes hashed on stderr (sign/hash_progress.h); the CLI sets it at a terminal
};

// Returns one digest per range, in the order of `ranges`.
Expected<std::vector<Bytes>> hash_ranges(const std::vector<HashRange>& ranges, HashAlgorithm algorithm,
                                         const HashOptions& options = {});

}  // namespace modelgate::sign
