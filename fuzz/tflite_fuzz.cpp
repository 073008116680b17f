// TFLite flatbuffers: the bounded reader of the model's operator codes, and the scanner on the same
// bytes with the TFL3 identifier forced (so that every input reaches it).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "readers/tflite.h"
#include "modelgate/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)modelgate::tflite::parse(modelgate::ByteView(data, size), modelgate::Limits{}.max_tflite_operator_codes);
  if (size < 8) return 0;
  std::vector<std::uint8_t> bytes(data, data + size);
  bytes[4] = 'T', bytes[5] = 'F', bytes[6] = 'L', bytes[7] = '3';
  modelgate::ScanOptions opts;
  (void)modelgate::scan_bytes("model.tflite", bytes.data(), bytes.size(), opts);
  return 0;
}
