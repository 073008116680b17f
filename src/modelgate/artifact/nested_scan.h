#pragma once
// What a format scanner is handed: the limits, the policy and the active allowlist of the scan it
// runs in, and a way back into that scan for what it finds inside its artifact (archive members,
// embedded payloads). Scanners see only this; the engine's ScanContext (scan/scan_context.h)
// implements it. The accessors are plain (no virtual call on a parser's per-record path); only
// scanning a nested artifact and hashing a member go through the engine.
#include <memory>

#include "artifact/artifact.h"
#include "core/unpack_budget.h"
#include "modelgate/limits.h"
#include "modelgate/policy.h"
#include "modelgate/report.h"
#include "pickle/allowlist.h"

namespace modelgate {

class NestedScan {
 public:
  const Limits& limits() const { return limits_; }
  const Policy& policy() const { return policy_; }
  const pickle::Allowlist& allowlist() const { return allowlist_; }
  // Whether this run hashes the contents of what it scans (ArtifactReport::sha256).
  bool hashes_contents() const { return hash_contents_; }

  // Identifies the artifact by content and runs the matching scanner. Used for files and for
  // every nested artifact (archive members, embedded payloads). The report is finalized.
  virtual ArtifactReport scan(const Artifact& artifact) = 0;

  // Sets report.sha256 (and sha512 when asked) from the artifact's bytes when this run hashes
  // contents and nothing set it yet. scan() does it for every artifact; a scanner that builds a
  // member's report itself (not through scan()) calls it for that member.
  virtual void hash_content(const Artifact& artifact, ArtifactReport& report) const = 0;

  // The unpack budget of the top-level artifact `artifact` belongs to (a fresh one for an artifact
  // handed to a scanner directly, outside scan()).
  std::shared_ptr<UnpackBudget> budget(const Artifact& artifact) const {
    return artifact.budget ? artifact.budget : std::make_shared<UnpackBudget>(limits_);
  }

 protected:
  NestedScan(const Limits& limits, const Policy& policy, const pickle::Allowlist& allowlist, bool hash_contents)
      : limits_(limits), policy_(policy), allowlist_(allowlist), hash_contents_(hash_contents) {}
  NestedScan(const NestedScan&) = default;
  NestedScan& operator=(const NestedScan&) = delete;
  ~NestedScan() = default;

  const Limits& limits_;
  const Policy& policy_;
  const pickle::Allowlist& allowlist_;
  bool hash_contents_ = false;
};

// Signature shared by every format scanner: fill `report` (findings, children, facts).
using ScannerFn = void (*)(const Artifact&, NestedScan&, ArtifactReport&);

}  // namespace modelgate
