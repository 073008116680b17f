// libFuzzer target: the GGUF reader and scanner on arbitrary bytes (the magic is forced so that
// every input reaches the parser).
#include <cstdint>
#include <cstring>
#include <vector>

#include "readers/gguf.h"
#include "fuzz_context.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> file(data, data + size);
  if (file.size() >= 4) std::memcpy(file.data(), "GGUF", 4);
  modelgate::Limits limits;
  auto parsed = modelgate::gguf::parse(file, limits);
  if (parsed.ok()) {
    for (const auto& kv : parsed->metadata)
      if (const auto* a = kv.value.array()) (void)modelgate::gguf::string_elements(*a);
    (void)modelgate::gguf::chat_templates(*parsed);
    for (const auto& t : parsed->tensors)
      if (parsed->data_start + t.offset + t.bytes > file.size()) __builtin_trap();
  }
  // The scanner through the identify table.
  (void)modelgate::fuzz::default_policy_context().scan(modelgate::fuzz::artifact(file.data(), file.size()));
  return 0;
}
