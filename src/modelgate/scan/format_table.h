#pragma once
// The engine's dispatch table: for each identified format, the name its report carries and the
// scanner that reads it (their columns in identify/format_list.inc).
#include <string_view>

#include "format/scanners.h"
#include "identify/identify.h"

namespace modelgate {

// The scanner for each identified format.
ScannerFn scanner_for(Format f);
// ArtifactReport::format of an artifact identified as `f`.
std::string_view format_name(Format f);

}  // namespace modelgate
