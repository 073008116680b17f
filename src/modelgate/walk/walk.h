#pragma once
// Lists the files of a model directory. Symlinks are followed only when they resolve inside the
// root; anything else (links that leave the root, special files) is reported, never read.
#include <filesystem>
#include <string>
#include <vector>

#include "modelgate/finding.h"

namespace modelgate {

struct WalkEntry {
  std::filesystem::path path;  // path to open
  std::string relative;        // path relative to the root, '/'-separated
};

struct WalkResult {
  std::vector<WalkEntry> files;  // sorted by `relative`
  std::vector<Finding> findings;
};

// Links are followed when they resolve inside `containment` (default: `root` itself); the Hugging
// Face cache passes the cache directory, whose blobs/ the snapshot links point into.
WalkResult walk_directory(const std::filesystem::path& root, const std::string& origin,
                          const std::filesystem::path& containment = {});

}  // namespace modelgate
