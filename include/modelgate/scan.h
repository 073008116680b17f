#pragma once
// The library's entry point for scanning paths.
#include <filesystem>
#include <string>
#include <vector>

#include "modelgate/limits.h"
#include "modelgate/policy.h"
#include "modelgate/report.h"

namespace modelgate {

struct ScanOptions {
  Limits limits;
  Policy policy;
  unsigned threads = 0;  // 0 = hardware concurrency
  bool progress = false; // progress on stderr
};

struct ScanResult {
  std::vector<ArtifactReport> artifacts;  // one per path given
  Decision decision;
  std::vector<std::string> errors;        // tool errors (missing path, unreadable file): exit 2
};

ScanResult scan_paths(const std::vector<std::filesystem::path>& paths, const ScanOptions& options);

// Scans a Hugging Face hub cache: one report per repository and revision, each blob scanned once.
ScanResult scan_hf_cache(const std::filesystem::path& cache_dir, const ScanOptions& options);

// Scans bytes already in memory (tests, fuzzing). `name` is a hint for messages only.
ArtifactReport scan_bytes(std::string_view name, const unsigned char* data, std::size_t size,
                          const ScanOptions& options);

}  // namespace modelgate
