// The bounded CPython marshal reader used to name what Lambda bytecode references.
#include "marshal/marshal_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = modelgate::marshal::read_code_object(modelgate::ByteView(data, size), modelgate::Limits{});
  if (r) {
    std::size_t total = 0;
    for (const auto& c : r->codes) total += c.names.size() + c.strings.size();
    (void)total;
  }
  return 0;
}
