// Keras HDF5 files through libhdf5 (core driver over the bytes, as for an archive member):
// attributes, the model and training configs, the link walk.
#include <cstddef>
#include <cstdint>

#include "identify/code_format_probes.h"
#include "fuzz_context.h"
#include "scan/format_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  (void)looks_like_hdf5(ByteView(data, size));
  Artifact a = fuzz::artifact(data, size);
  a.depth = 1;  // read from memory, not from a path
  ArtifactReport report;
  scan_hdf5(a, fuzz::context(), report);
  report.finalize();
  return 0;
}
