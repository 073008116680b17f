#pragma once
// Scanning the members of an archive read by the strict ZIP reader.
#include <functional>

#include "container/zip_reader.h"
#include "scan/scan_context.h"

namespace modelgate {

// Tracks bytes decompressed for one archive against Limits::max_total_unpacked.
struct UnpackBudget {
  std::uint64_t used = 0;
  bool charge(std::uint64_t n, std::uint64_t limit) {
    if (n > limit - std::min(used, limit)) return false;
    used += n;
    return true;
  }
};

// Opens a member (bounded, CRC checked). Findings go to `report`; nullopt when it cannot be read.
std::optional<Artifact> open_zip_member(const Artifact& a, const zip::Member& m, ScanContext& ctx,
                                        ArtifactReport& report, UnpackBudget& budget);

// Scans every member by content (directories skipped, links reported by the reader) and appends
// the child reports. `skip` returns true for members the caller handles itself.
void scan_zip_members(const Artifact& a, const zip::Archive& ar, ScanContext& ctx,
                      ArtifactReport& report, UnpackBudget& budget,
                      const std::function<bool(const zip::Member&)>& skip = {});

}  // namespace modelgate
