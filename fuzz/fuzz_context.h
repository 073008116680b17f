#pragma once
// A scan context for fuzz targets: default limits, an empty allowlist.
#include "modelgate/limits.h"
#include "modelgate/policy.h"
#include "pickle/allowlist.h"
#include "scan/scan_context.h"

namespace modelgate::fuzz {

inline ScanContext& context() {
  static const Limits limits;
  static const Policy policy;
  static const auto allowlist = pickle::Allowlist::from_profiles({}, {});
  static ScanContext ctx(limits, policy, *allowlist);
  return ctx;
}

// The scanner as the CLI runs it: default policy and its allowlist profiles.
inline ScanContext& default_policy_context() {
  static const Limits limits;
  static const Policy policy;
  static const auto allowlist = pickle::Allowlist::from_profiles(policy.profiles, {});
  static ScanContext ctx(limits, policy, *allowlist);
  return ctx;
}

inline Artifact artifact(const std::uint8_t* data, std::size_t size) {
  Artifact a;
  a.origin = "fuzz";
  a.name = "fuzz";
  a.bytes = ByteView(data, size);
  return a;
}

}  // namespace modelgate::fuzz
