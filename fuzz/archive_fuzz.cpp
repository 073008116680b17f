// The libarchive adapter as scan_archive runs it: 7z, tar (plain or compressed) and single
// compressed streams, the whole-stream check, every member read into its bounded buffer and
// scanned by content.
#include <cstddef>
#include <cstdint>

#include "fuzz_context.h"
#include "scan/format_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  ArtifactReport report;
  scan_archive(fuzz::artifact(data, size), fuzz::context(), report);
  report.finalize();
  return 0;
}
