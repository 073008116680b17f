// libFuzzer target: the safetensors header reader and scanner on arbitrary bytes. The input is
// also wrapped as a header with a matching length so that the fuzzer reaches the JSON checks.
#include <cstdint>
#include <string>
#include <vector>

#include "readers/safetensors.h"
#include "fuzz_context.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const modelgate::Limits limits;
  (void)modelgate::safetensors::parse(modelgate::ByteView(data, size), limits);

  // As a header: length prefix, then the input split into header and buffer at its first NUL.
  std::vector<std::uint8_t> file(8);
  std::size_t header = 0;
  while (header < size && data[header] != 0) ++header;
  for (int i = 0; i < 8; ++i) file[i] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(header) >> (8 * i)) & 0xff);
  file.insert(file.end(), data, data + header);
  if (header < size) file.insert(file.end(), data + header + 1, data + size);
  auto parsed = modelgate::safetensors::parse(file, limits);
  if (parsed.ok()) {
    for (const auto& t : parsed->tensors)
      if (t.end > parsed->buffer_size || t.begin > t.end) __builtin_trap();
  }
  // The scanner through the identify table.
  (void)modelgate::fuzz::default_policy_context().scan(modelgate::fuzz::artifact(file.data(), file.size()));
  return 0;
}
