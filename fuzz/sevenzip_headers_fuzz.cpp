// The hand-written 7z header reader on arbitrary bytes: signature header, plain and LZMA/LZMA2
// encoded headers, streams, folders, substreams and the file properties. The signature is forced
// and both header CRCs are recomputed, so that mutations reach the parser instead of stopping at a
// CRC mismatch. Default limits: memory is bounded by libFuzzer's -malloc_limit_mb, so that an
// allocation by a declared size shows up.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "container/sevenzip_headers.h"

namespace {

void put_crc(std::vector<std::uint8_t>& b, std::size_t at, const std::uint8_t* data, std::size_t n) {
  auto crc = static_cast<std::uint32_t>(crc32_z(0, data, n));
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(crc >> (8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const modelgate::Limits limits;
  std::vector<std::uint8_t> bytes(data, data + size);
  if (bytes.size() >= 32) {
    std::memcpy(bytes.data(), modelgate::sevenzip::kSignature, 6);
    std::uint64_t offset = 0, length = 0;
    for (int i = 7; i >= 0; --i) {
      offset = (offset << 8) | bytes[12 + i];
      length = (length << 8) | bytes[20 + i];
    }
    if (offset <= bytes.size() - 32 && length <= bytes.size() - 32 - offset)
      put_crc(bytes, 28, bytes.data() + 32 + offset, length);
    put_crc(bytes, 8, bytes.data() + 12, 20);
  }
  auto listing = modelgate::sevenzip::read_headers(modelgate::ByteView(bytes.data(), bytes.size()), limits);
  std::uint64_t total = 0;
  if (listing)
    for (const auto& e : listing->entries) total += e.size + e.name.size();
  (void)total;
  return 0;
}
