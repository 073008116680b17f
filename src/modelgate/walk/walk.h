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

WalkResult walk_directory(const std::filesystem::path& root, const std::string& origin);

}  // namespace modelgate
