#include "format/scanners.h"
#include "core/rule_catalog.h"

namespace modelgate {

// An empty file has nothing to read.
void scan_nothing(const Artifact&, NestedScan&, ArtifactReport&) {}

// Plain text that no more specific scanner claims (README, LICENSE, notes) is inert data.
void scan_text_file(const Artifact&, NestedScan&, ArtifactReport&) {}

void scan_unknown_file(const Artifact& a, NestedScan&, ArtifactReport& report) {
  report.add(make_finding(rule("MG-FORMAT-UNRECOGNISED"), a.origin, std::nullopt,
                          "content matches no known format"));
}

}  // namespace modelgate
