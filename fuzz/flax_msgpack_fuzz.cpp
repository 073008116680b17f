// Flax msgpack checkpoints: the bounded msgpack reader and the flax ext-type checks.
#include <cstddef>
#include <cstdint>

#include "readers/flax_msgpack.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  modelgate::ByteView bytes(data, size);
  (void)modelgate::flax::looks_like_msgpack_state(bytes);
  (void)modelgate::flax::parse(bytes, modelgate::Limits{});
  return 0;
}
