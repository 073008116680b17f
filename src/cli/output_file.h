#pragma once
// Writes a report to the file the user named: a temporary file beside it, renamed over it only once
// everything is written, so a failed run never leaves a truncated report under the final name.
#include <optional>
#include <string>

namespace modelgate::cli {

// The error, naming the file and the OS reason, or nothing on success.
std::optional<std::string> write_output_file(const std::string& path, const std::string& contents);

}  // namespace modelgate::cli
