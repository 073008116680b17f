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
  // Fill ArtifactReport::sha256 for every file and archive member, from the bytes the scan reads
  // anyway (the bill of materials; off by default because the scan itself never reads tensor data).
  bool hash_contents = false;
};

struct ScanResult {
  std::vector<ArtifactReport> artifacts;  // one per path given
  Decision decision;
  // Tool errors (a path that does not exist, a directory that is not a hub cache): exit 2. The
  // paths that could be scanned are still in `artifacts`.
  std::vector<std::string> errors;
};

ScanResult scan_paths(const std::vector<std::filesystem::path>& paths, const ScanOptions& options);

// Scans a Hugging Face hub cache: one report per repository and revision, each blob scanned once,
// plus stray files and unreadable entries. A directory that is not a hub cache is an error.
// $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
std::filesystem::path default_hf_cache();

ScanResult scan_hf_cache(const std::filesystem::path& cache_dir, const ScanOptions& options);

// Scans bytes already in memory (tests, fuzzing). `name` is a hint for messages only.
ArtifactReport scan_bytes(std::string_view name, const unsigned char* data, std::size_t size,
                          const ScanOptions& options);

}  // namespace modelgate
