#pragma once
// One file on disk, from open to verdict: the only place the scanner opens a file. It opens without
// blocking and without following links where the walk says so, maps the descriptor (guarded against
// truncation), scans the bytes, and refuses the file as changed when it is no longer what was opened.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/rule_id.h"
#include "core/regular_file.h"
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

// Opens the file the way every scan does (the descriptor a parse worker receives, too).
Expected<OpenedFile> open_file_to_scan(const FileToScan& file);

// Empty when the file is still the one that was opened; otherwise what changed. `mapped`: this
// process's mapping of it, when it has one (a parse worker's mapping is the worker's concern).
std::string change_since_open(const FileToScan& file, const OpenedFile& opened, const MappedFile* mapped);

// The finalized report of a file that could not be read or parsed at all: one finding of `rule_id`.
ArtifactReport unreadable_file_report(const std::string& origin, const char* format, RuleId rule_id,
                                      std::string message);

// The verdict on an opened file in two steps, for a caller that parses in between.
// The result cache's report for these bytes (hashed from `mapped`), when it holds one; digest: that
// hash, or empty without a mapping or a cache.
struct StoredVerdict {
  std::string digest;
  std::optional<ArtifactReport> report;
};
StoredVerdict find_stored_verdict(ScanContext& ctx, const std::string& origin, const OpenedFile& opened,
                                  const MappedFile* mapped, const std::string& name);
// `report` (the stored one, or the parse's) completed: recorded in the cache when fresh, external
// data looked up, refused as changed when the file changed meanwhile.
ArtifactReport settle_verdict(ScanContext& ctx, const FileToScan& file, const std::string& origin,
                              const OpenedFile& opened, const MappedFile* mapped, const std::string& name,
                              const StoredVerdict& stored, ArtifactReport report);

// Both steps: the result cache's, when it holds one for these bytes (hashed from
// `mapped`), else `parse(digest)`'s (digest: that hash, or empty), then recorded; refused as changed
// when the file changed meanwhile. Without a mapping or a cache nothing is hashed here.
ArtifactReport judge_opened_file(ScanContext& ctx, const FileToScan& file, const std::string& origin,
                                 const OpenedFile& opened, const MappedFile* mapped, const std::string& name,
                                 const std::function<ArtifactReport(const std::string& digest)>& parse);

ArtifactReport scan_file(ScanContext& ctx, const FileToScan& file, const std::string& origin);

}  // namespace modelgate
