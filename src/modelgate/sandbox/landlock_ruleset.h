#pragma once
// Landlock with no file-system access at all: a ruleset that handles every access right the
// running kernel knows and allows none of them.
#include "core/expected.h"

namespace modelgate::sandbox {

// Applies the ruleset to the calling thread (and what it forks); the Landlock ABI it used.
Expected<int> restrict_all_file_access();

}  // namespace modelgate::sandbox
