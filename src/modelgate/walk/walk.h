#pragma once
// Lists the files of a model directory without ever leaving anything out: every entry is either a
// file to scan or a note that becomes an artifact of its own (refused when it could not be listed,
// entered, stat'ed or opened, or is past the depth limit; unsafe when a link leaves the root; a
// report line for a directory link). The walk is iterative and holds one directory open at a time;
// memory grows with the depth and the entries still to visit, never with depth times path length.
// Symbolic links to files are followed when they resolve inside the root (the scanner opens the
// target, link-free); links to directories are reported, never descended into.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "modelgate/finding.h"

namespace modelgate {

struct WalkEntry {
  std::filesystem::path path;  // the file (for a followed link: the resolved target)
  std::string relative;        // path of the entry relative to the root, '/'-separated
  // Where the scanner opens it: `beneath` relative to `base`, no link followed on the way.
  std::filesystem::path base;
  std::string beneath;
  bool via_link = false;       // the entry is a symbolic link to `path`
};

// An entry that is not scanned as a file, with the finding that says why.
struct WalkNote {
  std::string relative;
  std::string format;  // "unread-directory", "symlink", "special-file", "unreadable"
  Finding finding;
};

struct WalkResult {
  std::vector<WalkEntry> files;  // sorted by `relative`
  std::vector<WalkNote> notes;   // sorted by `relative`
  std::vector<Finding> findings; // about the root itself (it could not be listed)
};

// Links are followed when they resolve inside `containment` (default: `root` itself); the Hugging
// Face cache passes the cache directory, whose blobs/ the snapshot links point into. Directories
// deeper than `max_depth` levels below the root are refused, not entered.
WalkResult walk_directory(const std::filesystem::path& root, const std::string& origin, std::uint32_t max_depth,
                          const std::filesystem::path& containment = {});

}  // namespace modelgate
