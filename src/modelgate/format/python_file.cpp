#include "hf/python_scan.h"
#include "scan/format_table.h"

namespace modelgate {

void scan_python_file(const Artifact& a, ScanContext& ctx, ArtifactReport& report) {
  analyse_python_source(as_chars(a.bytes), a.origin, ctx.limits(), report);
}

}  // namespace modelgate
