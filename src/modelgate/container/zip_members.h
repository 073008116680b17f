#pragma once
// Scanning the members of an archive read by the strict ZIP reader.
#include <functional>

#include "readers/zip_reader.h"
#include "artifact/nested_scan.h"

namespace modelgate {

// Opens a member (CRC checked; inflated bytes charged to the top-level artifact's budget).
// Findings go to `report`; nullopt when it cannot be read.
std::optional<Artifact> open_zip_member(const Artifact& a, const zip::Member& m, NestedScan& ctx,
                                        ArtifactReport& report);

// Scans every member by content (directories skipped, links reported by the reader) and appends
// the child reports. `skip` returns true for members the caller handles itself.
void scan_zip_members(const Artifact& a, const zip::Archive& ar, NestedScan& ctx,
                      ArtifactReport& report,
                      const std::function<bool(const zip::Member&)>& skip = {});

}  // namespace modelgate
