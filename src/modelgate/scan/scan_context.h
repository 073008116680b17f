#pragma once
// Everything a format scanner needs: limits, the active allowlist, and a way to scan nested
// artifacts. No global state: one context per scan run, shared read-only across threads except
// for the atomic budget counters.
#include <atomic>
#include <cstdint>

#include "modelgate/limits.h"
#include "modelgate/policy.h"
#include "modelgate/report.h"
#include "modelgate/result_cache.h"
#include "pickle/allowlist.h"
#include "scan/artifact.h"

namespace modelgate {

class ScanContext {
 public:
  ScanContext(const Limits& limits, const Policy& policy, const pickle::Allowlist& allowlist,
              bool hash_contents = false)
      : limits_(limits), policy_(policy), allowlist_(allowlist), hash_contents_(hash_contents) {}

  const Limits& limits() const { return limits_; }
  const Policy& policy() const { return policy_; }
  const pickle::Allowlist& allowlist() const { return allowlist_; }

  // Files are hashed (ArtifactReport::sha256) and, with a cache, their verdicts reused and recorded
  // under `ruleset` (ruleset_sha256 of the options this context was made from); see scan_file.
  void identify_files_by_content(bool hash, ResultCache* cache, std::string ruleset) {
    hash_contents_ = hash || cache != nullptr;
    cache_ = cache;
    ruleset_ = std::move(ruleset);
  }
  bool hashes_contents() const { return hash_contents_; }
  // Hashed contents get a SHA-512 too (ArtifactReport::sha512).
  void also_sha512(bool on) { hash_sha512_ = on; }
  ResultCache* result_cache() const { return cache_; }
  const std::string& ruleset() const { return ruleset_; }

  // Identifies the artifact by content and runs the matching scanner. Used for files and for
  // every nested artifact (archive members, embedded payloads). The report is finalized.
  ArtifactReport scan(const Artifact& artifact);

  // Sets report.sha256 (and sha512 when asked) from the artifact's bytes when this run hashes
  // contents and nothing set it yet. scan() does it for every artifact; a scanner that builds a member's report itself (not
  // through scan()) calls it for that member.
  void hash_content(const Artifact& artifact, ArtifactReport& report) const;

  // The unpack budget of the top-level artifact `artifact` belongs to (a fresh one for an artifact
  // handed to a scanner directly, outside scan()).
  std::shared_ptr<UnpackBudget> budget(const Artifact& artifact) const {
    return artifact.budget ? artifact.budget : std::make_shared<UnpackBudget>(limits_);
  }

 private:
  const Limits& limits_;
  const Policy& policy_;
  const pickle::Allowlist& allowlist_;
  bool hash_contents_ = false;
  bool hash_sha512_ = false;
  ResultCache* cache_ = nullptr;
  std::string ruleset_;
};

// Signature shared by every format scanner: fill `report` (findings, children, facts).
using ScannerFn = void (*)(const Artifact&, ScanContext&, ArtifactReport&);

}  // namespace modelgate
