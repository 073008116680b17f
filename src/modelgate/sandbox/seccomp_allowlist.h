#pragma once
// The system calls a parse worker may make once it is confined; anything else kills it (SIGSYS).
#include <optional>

#include "core/expected.h"

namespace modelgate::sandbox {

// Reading passed descriptors, memory management without PROT_EXEC, futexes, exiting, receiving a
// request on `request_fd` and writing only to `result_fd`.
std::optional<Error> install_seccomp_allowlist(int request_fd, int result_fd);

}  // namespace modelgate::sandbox
