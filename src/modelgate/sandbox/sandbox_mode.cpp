#include <sys/prctl.h>

#include "modelgate/scan.h"
#include "sandbox/confinement.h"

namespace modelgate {

SandboxMode default_sandbox_mode() {
  // AddressSanitizer's runtime makes system calls of its own inside a worker (its deadly-signal
  // path probes memory through a pipe and reads /proc/self/exe), which the allowlist kills: a
  // sanitizer build parses unconfined unless asked (docs/sandbox.md).
  if (sandbox::kAddressSanitizer) return SandboxMode::off;
  // PR_GET_SECCOMP fails with EINVAL on a kernel built without seccomp.
  return ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 ? SandboxMode::strict : SandboxMode::best_effort;
}

std::optional<SandboxMode> parse_sandbox_mode(std::string_view text) {
  if (text == "strict") return SandboxMode::strict;
  if (text == "best-effort") return SandboxMode::best_effort;
  if (text == "off") return SandboxMode::off;
  return std::nullopt;
}

}  // namespace modelgate
