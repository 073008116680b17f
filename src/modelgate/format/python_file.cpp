#include "hf/python_scan.h"
#include "format/scanners.h"

namespace modelgate {

void scan_python_file(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  analyse_python_source(as_chars(a.bytes), a.origin, ctx.limits(), report);
}

}  // namespace modelgate
