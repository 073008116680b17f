#pragma once
// Finding a 4-byte record signature ("PK\3\4", "PK\5\6", ...) in a large byte range.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/bytes.h"

namespace modelgate {

inline constexpr std::size_t kSignatureNotFound = SIZE_MAX;

// Where the 4 bytes at `sig` first occur at an offset in [from, end) of `data` (the whole
// signature within `data`), or kSignatureNotFound. memchr for the first byte (vectorised in
// glibc), then a compare: on compressed or floating-point data, where that byte is rare, several
// times faster than memmem, which every checkpoint's 64 KiB end-record search and data-descriptor
// search used to spend most of their time in.
inline std::size_t find_signature(ByteView data, std::size_t from, std::size_t end, const char* sig) {
  end = std::min(end, data.size() >= 3 ? data.size() - 3 : 0);
  for (std::size_t p = from; p < end;) {
    const void* hit = std::memchr(data.data() + p, static_cast<unsigned char>(sig[0]), end - p);
    if (hit == nullptr) return kSignatureNotFound;
    p = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - data.data());
    if (std::memcmp(data.data() + p + 1, sig + 1, 3) == 0) return p;
    ++p;
  }
  return kSignatureNotFound;
}

}  // namespace modelgate
