#include "core/crc32.h"

#include <libdeflate.h>

namespace modelgate {

std::uint32_t crc32_update(std::uint32_t crc, ByteView bytes) {
  return bytes.empty() ? crc : libdeflate_crc32(crc, bytes.data(), bytes.size());
}

}  // namespace modelgate
