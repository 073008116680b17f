// The walk is libhdf5's (H5HG__cache_heap_deserialize, format spec "Global Heap"): a collection is
// "GCOL", version 1, three reserved bytes and its size (a length), then objects of index (2),
// reference count (2), reserved (4) and size (a length). Object 0 is free space and its size covers
// its own header; any other object occupies its header plus its size rounded up to 8. libhdf5 reads
// a collection wherever an address points, so every signature in the file is checked, and bytes
// past the end of the file read as zeros (libhdf5's drivers fill reads past EOF with zeros).
#include "format/hdf5_global_heap.h"

#include <algorithm>
#include <cstring>

#include "identify/code_format_probes.h"

namespace modelgate {

namespace {

constexpr std::uint8_t kCollectionSignature[4] = {'G', 'C', 'O', 'L'};

// `width` little-endian bytes at `at`, zeros past the end; like libhdf5's length decoding, only
// the low eight bytes of a wider field count.
std::uint64_t zero_padded_le(ByteView bytes, std::uint64_t at, unsigned width) {
  std::uint64_t value = 0;
  for (unsigned i = std::min(width, 8u); i-- > 0;) {
    std::uint64_t pos = at + i;
    std::uint8_t byte = pos >= at && pos < bytes.size() ? bytes[pos] : 0;
    value = value << 8 | byte;
  }
  return value;
}

// The size of lengths the superblock declares (2, 4, 8 or 16); nullopt when libhdf5 would not
// accept the superblock anyway.
std::optional<unsigned> length_size(ByteView bytes) {
  auto at = hdf5_superblock_offset(bytes);
  if (!at || bytes.size() - *at < 16) return std::nullopt;
  const std::uint8_t version = bytes[*at + 8];
  const std::uint8_t size = version <= 1 ? bytes[*at + 14] : version <= 3 ? bytes[*at + 10] : 0;
  if (size != 2 && size != 4 && size != 8 && size != 16) return std::nullopt;
  return size;
}

}  // namespace

std::optional<std::string> hdf5_global_heap_defect(ByteView bytes) {
  auto lengths = length_size(bytes);
  if (!lengths) return std::nullopt;
  const std::uint64_t header = 8 + *lengths;         // signature, version, reserved, size
  const std::uint64_t object_header = 8 + *lengths;  // index, references, reserved, size
  // Objects advance by at least one byte and bytes past EOF stop the walk at once, so the walks
  // are bounded by the file size; signatures packed inside one another could still make them
  // quadratic, which this budget refuses (real collections hold objects of 16 bytes or more).
  std::uint64_t steps_left = bytes.size() / 4 + 4096;
  const std::uint8_t* data = bytes.data();
  for (std::size_t at = 0; bytes.size() - at >= 5;) {
    const void* hit = std::memchr(data + at, 'G', bytes.size() - at - 4);
    if (hit == nullptr) break;
    const std::size_t c = static_cast<const std::uint8_t*>(hit) - data;
    at = c + 1;
    if (std::memcmp(data + c, kCollectionSignature, 4) != 0 || data[c + 4] != 1) continue;
    const std::uint64_t size = zero_padded_le(bytes, c + 8, *lengths);
    if (size > UINT64_MAX - c) return "offset " + std::to_string(c) + ": global heap collection size wraps around";
    const std::uint64_t end = c + size;
    for (std::uint64_t p = c + header; p < end && end - p >= object_header;) {
      if (steps_left-- == 0)
        return "offset " + std::to_string(c) + ": global heap collections hold too many objects to check";
      const auto index = zero_padded_le(bytes, p, 2);
      const auto object_size = zero_padded_le(bytes, p + 8, *lengths);
      // What libhdf5 adds to its cursor; a sum that wraps counts as past the end.
      const bool wraps = index > 0 && object_size > UINT64_MAX - 7 - object_header;
      const std::uint64_t need = index == 0 ? object_size : wraps ? 0 : object_header + (object_size + 7) / 8 * 8;
      if (need == 0 && !wraps)
        return "offset " + std::to_string(p) + ": global heap object 0 of the collection at " + std::to_string(c) +
               " has size 0, which never advances libhdf5's walk";
      if (wraps || need > end - p)
        return "offset " + std::to_string(p) + ": global heap object " + std::to_string(index) +
               " of the collection at " + std::to_string(c) + " declares size " + std::to_string(object_size) +
               ", past the end of its collection";
      p += need;
    }
  }
  return std::nullopt;
}

}  // namespace modelgate
