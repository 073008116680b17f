#pragma once
// The gate's signature check: the `verify` command's code path (sign/model_signing.h) with each
// method the policy configures; the first that verifies satisfies the policy.
#include <filesystem>
#include <string>
#include <vector>

#include "modelgate/gate.h"

namespace modelgate {

// Where the bundle is parsed: in this process, or in a confined worker with this timeout.
struct SignatureReading {
  SandboxMode sandbox = SandboxMode::off;
  std::uint64_t worker_timeout_ms = 600'000;
};

// `bundle` empty: no signature. A key, root or trusted root the policy names but that cannot be
// loaded is an error (appended to `errors`), never a pass.
SignatureOutcome check_model_signature(const std::filesystem::path& model, const std::filesystem::path& bundle,
                                       const SignatureRule& rule, const SignatureReading& reading,
                                       std::vector<std::string>& errors);

}  // namespace modelgate
