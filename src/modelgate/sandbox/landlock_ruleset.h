#pragma once
// Landlock with no file-system access at all: a ruleset that handles every access right the
// running kernel knows and allows none of them.
#include <string>

namespace modelgate::sandbox {

// Applies the ruleset to the calling thread (and what it forks). `abi` receives the ABI used.
bool restrict_all_file_access(int& abi, std::string& why);

}  // namespace modelgate::sandbox
