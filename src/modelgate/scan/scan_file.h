#pragma once
// One file on disk, from open to verdict: the only place the scanner opens a file. It opens without
// blocking and without following links where the walk says so, maps the descriptor (guarded against
// truncation), scans the bytes, and refuses the file as changed when it is no longer what was opened.
#include <filesystem>
#include <string>

#include "modelgate/report.h"
#include "scan/scan_context.h"

namespace modelgate {

struct FileToScan {
  std::filesystem::path path;  // as named (a command-line path: its links are followed)
  // For walked entries: opened as `beneath` relative to `base`, no link followed on the way.
  std::filesystem::path base;
  std::string beneath;
  std::string name;  // the file name loaders see (for a link: the link's, not the target's)
};

ArtifactReport scan_file(ScanContext& ctx, const FileToScan& file, const std::string& origin);

}  // namespace modelgate
