// The .npy header parser (magic, version, literal dict, dtype sizes) on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "container/npy_header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto h = modelgate::npy::parse_header(modelgate::ByteView(data, size), modelgate::Limits{});
  if (h) (void)(h->count * h->itemsize);
  return 0;
}
