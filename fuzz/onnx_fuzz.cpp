// ONNX: the content probe, the wire-level pre-pass and the libprotobuf parse with analysis.
#include "identify/code_format_probes.h"
#include "fuzz_context.h"
#include "scan/format_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  (void)looks_like_onnx_model(ByteView(data, size));
  ArtifactReport report;
  scan_onnx_model(fuzz::artifact(data, size), fuzz::context(), report);
  report.finalize();
  return 0;
}
