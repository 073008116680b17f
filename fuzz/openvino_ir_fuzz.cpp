// OpenVINO IR: the strict XML reader of the model's layers, and the scanner on the same bytes under
// the name an IR has (openvino_model.xml).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "readers/openvino_ir.h"
#include "modelgate/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)modelgate::openvino::parse(xml, modelgate::Limits{}.max_xml_depth);
  modelgate::ScanOptions opts;
  (void)modelgate::scan_bytes("openvino_model.xml", data, size, opts);
  return 0;
}
