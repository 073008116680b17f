#pragma once
// The library's entry point for scanning paths.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelgate/error.h"
#include "modelgate/expected.h"
#include "modelgate/limits.h"
#include "modelgate/policy.h"
#include "modelgate/report.h"
#include "modelgate/result_cache.h"
#include "modelgate/sandbox_layers.h"

namespace modelgate {

// The command line's default: strict where the kernel offers seccomp filters, best-effort elsewhere.
SandboxMode default_sandbox_mode();
// "strict", "best-effort", "off"; nullopt for anything else.
std::optional<SandboxMode> parse_sandbox_mode(std::string_view text);
// The inverse of parse_sandbox_mode.
std::string_view to_string(SandboxMode mode);

struct ScanOptions {
  Limits limits;
  SandboxMode sandbox = SandboxMode::off;
  Policy policy;
  unsigned threads = 0;  // 0 = hardware concurrency
  bool progress = false; // progress on stderr
  // Fill ArtifactReport::sha256 for every file and archive member, from the bytes the scan reads
  // anyway (the bill of materials; off by default because the scan itself never reads tensor data).
  bool hash_contents = false;
  bool hash_sha512 = false;  // with hash_contents: ArtifactReport::sha512 too (`bom --sha512`)
  ResultCache* cache = nullptr;   // reuse and record verdicts by content (the gate's inventory)
};

struct ScanResult {
  std::vector<ArtifactReport> artifacts;  // one per path given
  Decision decision;
  // Tool errors (a path that does not exist, a directory that is not a hub cache): exit 2. The
  // paths that could be scanned are still in `artifacts`.
  std::vector<std::string> errors;
  SandboxLayers sandbox;  // how files were parsed
};

// The SHA-256 (hex) of everything besides a file's bytes and name that decides its verdict:
// modelgate's version, the rule catalog, the active allowlist profiles and additions, every limit.
// Empty when the policy names an unknown profile.
std::string ruleset_sha256(const ScanOptions& options);

ScanResult scan_paths(const std::vector<std::filesystem::path>& paths, const ScanOptions& options);

// Scans a Hugging Face hub cache: one report per repository and revision, each blob scanned once,
// plus stray files and unreadable entries. A directory that is not a hub cache is an error.
// $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
std::filesystem::path default_hf_cache();

ScanResult scan_hf_cache(const std::filesystem::path& cache_dir, const ScanOptions& options);

// Scans bytes already in memory (tests, fuzzing). `name` is a hint for messages only. An error
// when the policy names an unknown allowlist profile.
ValueOr<ArtifactReport, Error> scan_bytes(std::string_view name, const unsigned char* data, std::size_t size,
                          const ScanOptions& options);

}  // namespace modelgate
