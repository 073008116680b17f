#pragma once
// Writes a report to the file the user named: a temporary file beside it, renamed over it only once
// everything is written, so a failed run never leaves a truncated report under the final name.
#include <optional>
#include <string>
#include <vector>

#include "modelgate/scan.h"

namespace modelgate::cli {

// The error, naming the file and the OS reason, or nothing on success. A path in `never_replace`
// (the same file: device and inode) is refused: a report never lands on what the run read.
// SIGINT/SIGTERM/SIGHUP wait until the temporary file is renamed or removed.
std::optional<std::string> write_output_file(const std::string& path, const std::string& contents,
                                             const std::vector<std::string>& never_replace = {});

// What a report of `result` must never replace: every PATH and `also` as given, and every file found
// in a directory given, except earlier reports (files read as `json` or `text`), so that
// `scan . -o report.json` can run again.
std::vector<std::string> files_not_to_replace(const std::vector<std::string>& paths, const ScanResult& result,
                                              std::vector<std::string> also = {});

}  // namespace modelgate::cli
