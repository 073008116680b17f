#include "scan/format_table.h"

namespace modelgate {

void scan_joblib_compressed(const Artifact& a, ScanContext&, ArtifactReport& report) {
  report.add(make_finding(rule("MG-FORMAT-UNRECOGNISED"), a.origin, std::nullopt, "joblib: not yet"));
}

}  // namespace modelgate
