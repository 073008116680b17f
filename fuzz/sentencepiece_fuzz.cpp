// SentencePiece ModelProto reader and its content probe.
#include <cstddef>
#include <cstdint>

#include "readers/sentencepiece.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  modelgate::ByteView bytes(data, size);
  (void)modelgate::sentencepiece::looks_like_model(bytes);
  (void)modelgate::sentencepiece::parse(bytes);
  return 0;
}
