#pragma once
// The engine's dispatch table: one scanner per identified format.
#include "format/scanners.h"
#include "identify/identify.h"

namespace modelgate {

// The scanner for each identified format.
ScannerFn scanner_for(Format f);

}  // namespace modelgate
