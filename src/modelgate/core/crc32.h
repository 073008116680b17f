#pragma once
// CRC-32 as ZIP and 7z store it. Every byte of every member of a checkpoint is checked against it,
// so the carry-less-multiply implementation of libdeflate is used: zlib's table-driven crc32 was a
// third of the instructions of a scan of small checkpoints.
#include <cstdint>

#include "core/bytes.h"

namespace modelgate {

// The CRC-32 of `bytes` continued from `crc` (the CRC-32 of the bytes before them; 0 for none).
std::uint32_t crc32_update(std::uint32_t crc, ByteView bytes);

}  // namespace modelgate
