#pragma once
// The gate: a policy (schema modelgate.policy/2) over what scan, verify and the model facts say,
// and the decision `modelgate admit` prints (schema modelgate.decision/2). docs/gate.md.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "modelgate/limits.h"
#include "modelgate/policy.h"
#include "modelgate/report.h"
#include "modelgate/scan.h"

namespace modelgate {

inline constexpr const char* kDecisionSchema = "modelgate.decision/2";

enum class GateMode { enforce, dry_run };

struct FormatRule {
  std::optional<std::vector<std::string>> allow;  // when set, every format seen must be listed
  std::vector<std::string> deny;
};

struct PickleRule {
  bool allow = true;
  bool require_signature = false;
  bool require_legacy_flag = false;
};

// A pickle-based file the policy tolerates: matched by content (sha256) and/or by its path relative
// to the PATH given to admit (both must match when both are set).
struct LegacyEntry {
  std::string sha256;
  std::string path;
  std::string reason;
};

struct SignerIdentity {
  std::string issuer;
  std::string subject;        // exact SAN
  std::string subject_regex;  // or a pattern the SAN matches as a whole
};

struct SignatureRule {
  bool required = false;
  std::vector<std::filesystem::path> keys;               // PEM public keys
  std::vector<std::filesystem::path> certificate_roots;  // PEM trust anchors
  std::vector<SignerIdentity> identities;                // Sigstore keyless signers
  std::filesystem::path trusted_root;                    // Sigstore trusted_root.json (default: the shipped one)
};

struct LicenseRule {
  std::optional<std::vector<std::string>> allow;
  std::vector<std::string> deny;
  bool allow_unknown = false;  // "unknown": "allow" admits a model whose licence was not found
};

struct Waiver {
  std::string sha256;
  std::string rule;     // a scanner rule (MG-PICKLE-...) or a gate rule (MG-GATE-...)
  std::string expires;  // YYYY-MM-DD, the last day it applies (UTC)
  std::string reason;
};

struct GatePolicy {
  int schema_version = 2;
  GateMode mode = GateMode::enforce;
  Policy scan;  // profiles, allow_globals, allow_status
  Limits limits;
  std::optional<FormatRule> formats;
  PickleRule pickle;
  std::vector<LegacyEntry> legacy;
  SignatureRule signature;
  std::optional<LicenseRule> licenses;
  std::vector<Waiver> waivers;
  std::string sha256;  // of the policy file's bytes
};

// Reads a policy file (modelgate.policy/2, or /1 whose keys mean what they meant). Paths inside it
// are relative to the file's directory. An error in the policy's text has the file as its origin.
ValueOr<GatePolicy, Error> load_gate_policy(const std::filesystem::path& file);
// Parses policy text; `base` resolves relative paths. Used by load_gate_policy and the tests.
ValueOr<GatePolicy, Error> parse_gate_policy(std::string_view text, const std::filesystem::path& base);

// How a model's signature fared (gate/model_signature.cpp fills it with the `verify` code path).
struct SignatureOutcome {
  enum class State { absent, verified, failed } state = State::absent;
  std::string bundle;  // the bundle checked
  std::string detail;  // the method that verified, or why none did
};

struct GateRuleResult {
  std::string id;       // MG-GATE-...
  std::string result;   // pass, fail, waived, not-applicable
  std::string subject;  // the artifact or model it is about
  std::string evidence;
};

struct GateDecision {
  bool allow = false;
  GateMode mode = GateMode::enforce;
  bool would_deny = true;
  std::vector<GateRuleResult> rules;
  std::string policy_sha256;
  std::string store;  // the inventory URI without credentials; empty without a store
  std::uint64_t hits = 0, misses = 0;
  SandboxLayers sandbox;            // how the files were parsed (ScanResult::sandbox)
  std::vector<std::string> errors;  // tool errors: the decision is deny and the exit code 2
};

// One model given to admit: its report and its signature's outcome.
struct AdmittedModel {
  std::string path;
  const ArtifactReport* report = nullptr;
  SignatureOutcome signature;
};

// Every policy rule over the models; `today` is YYYY-MM-DD (UTC) for waiver expiry. Errors already
// known (unreadable paths, store failures) are passed in and make the decision deny.
GateDecision evaluate_gate(const GatePolicy& policy, const std::vector<AdmittedModel>& models, std::string_view today,
                           std::vector<std::string> errors);

struct AdmitOptions {
  std::vector<std::filesystem::path> paths;
  GatePolicy policy;
  std::filesystem::path signature;  // default: model.sig inside a directory when present
  std::string store;                // inventory URI; empty for none
  unsigned threads = 0;
  bool progress = false;
  // Where files and the signature bundle are parsed (docs/sandbox.md); the command line's default
  // is default_sandbox_mode().
  SandboxMode sandbox = SandboxMode::off;
};

GateDecision admit(const AdmitOptions& options);

std::string decision_json(const GateDecision& decision);  // modelgate.decision/2, indented
std::string decision_text(const GateDecision& decision);
int decision_exit_code(const GateDecision& decision);  // 0 allow (always in dry-run), 1 deny, 2 error

}  // namespace modelgate
