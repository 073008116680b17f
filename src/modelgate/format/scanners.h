#pragma once
// The scanner of each format (the scanner column of identify/format_list.inc), one per format
// file, with the ScannerFn signature (artifact/nested_scan.h). The engine's table
// (scan/format_table.cpp) picks one per identified format.
#include "artifact/nested_scan.h"

namespace modelgate {

#define MG_FORMAT(id, name, probe, scanner, component) void scanner(const Artifact&, NestedScan&, ArtifactReport&);
#define MG_PROBE(id, probe)
#include "identify/format_list.inc"
#undef MG_FORMAT
#undef MG_PROBE

}  // namespace modelgate
