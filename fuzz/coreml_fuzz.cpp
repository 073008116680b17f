// Core ML: the Model reader (pipelines and control-flow layers walked to their depth), the MIL blob
// storage reader of an ML program's weights, and the scanner on the same bytes under a .mlmodel name.
#include <cstddef>
#include <cstdint>

#include "readers/coreml.h"
#include "modelgate/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  modelgate::ByteView bytes(data, size);
  static const modelgate::Limits limits;
  (void)modelgate::coreml::parse(bytes, limits);
  (void)modelgate::coreml::parse_blob_storage(bytes);
  modelgate::ScanOptions opts;
  (void)modelgate::scan_bytes("model.mlmodel", data, size, opts);
  return 0;
}
