#include "scan/format_table.h"

namespace modelgate {

void scan_torch_legacy(const Artifact& a, ScanContext&, ArtifactReport& report) {
  report.add(make_finding(rule("MG-FORMAT-UNRECOGNISED"), a.origin, std::nullopt, "legacy: not yet"));
}

}  // namespace modelgate
