#pragma once
// A file's report as the inventory stores it, and back. A store can be edited by anyone who can write
// to it, so a stored report is read as untrusted input: bounded, every field checked, statuses
// recomputed from the findings, and anything off is an error (the file is then scanned again).
#include <string>
#include <string_view>

#include "core/expected.h"
#include "modelgate/report.h"
#include "modelgate/result_cache.h"

namespace modelgate {

// `report`'s origins are relative to the file (relative_origins.h).
std::string encode_stored_report(const ArtifactReport& report);
Expected<ArtifactReport> decode_stored_report(std::string_view text, const ResultKey& key);

}  // namespace modelgate
