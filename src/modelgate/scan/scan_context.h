#pragma once
// The engine's scan run: identification, dispatch and recursion behind the NestedScan interface
// that scanners are handed (artifact/nested_scan.h). No global state: one context per scan run,
// shared read-only across threads except for the atomic budget counters.
#include <atomic>
#include <cstdint>

#include "modelgate/limits.h"
#include "modelgate/policy.h"
#include "modelgate/report.h"
#include "modelgate/result_cache.h"
#include "artifact/artifact.h"
#include "artifact/nested_scan.h"
#include "pickle/allowlist.h"

namespace modelgate {

// The engine's side of a scan run: what NestedScan gives scanners, plus what only the engine
// uses (content hashing options, the result cache). One per scan run.
class ScanContext final : public NestedScan {
 public:
  ScanContext(const Limits& limits, const Policy& policy, const pickle::Allowlist& allowlist,
              bool hash_contents = false)
      : NestedScan(limits, policy, allowlist, hash_contents) {}

  // Files are hashed (ArtifactReport::sha256) and, with a cache, their verdicts reused and recorded
  // under `ruleset` (ruleset_sha256 of the options this context was made from); see scan_file.
  void identify_files_by_content(bool hash, ResultCache* cache, std::string ruleset) {
    hash_contents_ = hash || cache != nullptr;
    cache_ = cache;
    ruleset_ = std::move(ruleset);
  }
  // Hashed contents get a SHA-512 too (ArtifactReport::sha512).
  void also_sha512(bool on) { hash_sha512_ = on; }
  ResultCache* result_cache() const { return cache_; }
  const std::string& ruleset() const { return ruleset_; }

  ArtifactReport scan(const Artifact& artifact) override;
  void hash_content(const Artifact& artifact, ArtifactReport& report) const override;

 private:
  bool hash_sha512_ = false;
  ResultCache* cache_ = nullptr;
  std::string ruleset_;
};

}  // namespace modelgate
