#include <sys/prctl.h>

#include "modelgate/scan.h"

namespace modelgate {

SandboxMode default_sandbox_mode() {
  // PR_GET_SECCOMP fails with EINVAL on a kernel built without seccomp.
  return ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 ? SandboxMode::strict : SandboxMode::best_effort;
}

std::optional<SandboxMode> parse_sandbox_mode(std::string_view text) {
  if (text == "strict") return SandboxMode::strict;
  if (text == "best-effort") return SandboxMode::best_effort;
  if (text == "off") return SandboxMode::off;
  return std::nullopt;
}

std::string_view to_string(SandboxMode mode) {
  switch (mode) {
    case SandboxMode::strict: return "strict";
    case SandboxMode::best_effort: return "best-effort";
    case SandboxMode::off: break;
  }
  return "off";
}

}  // namespace modelgate
