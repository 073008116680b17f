// joblib files: the pickle with NumpyArrayWrapper records and the raw array bytes after them, and
// the compressed forms (zlib and the old "ZF" header). The first byte picks the reader, so that a
// seed of either kind stays on its path.
#include <cstddef>
#include <cstdint>

#include "fuzz_context.h"
#include "scan/format_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  if (size < 1) return 0;
  auto& ctx = fuzz::default_policy_context();
  Artifact a = fuzz::artifact(data + 1, size - 1);
  ArtifactReport report;
  if (data[0] & 1)
    scan_joblib_compressed(a, ctx, report);
  else
    scan_joblib(a, ctx, report);
  report.finalize();
  return 0;
}
