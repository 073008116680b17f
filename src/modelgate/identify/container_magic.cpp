#include "identify/container_magic.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "readers/tar_headers.h"
#include "pickle/opcodes.h"
#include "pickle/text_operands.h"
#include "artifact/artifact.h"
#include "artifact/pickle_probe.h"

namespace modelgate {

namespace {

bool starts_with(ByteView b, std::string_view magic) {
  return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

// ustar magic at offset 257 ("ustar\0" POSIX, "ustar  \0" GNU), or a pre-POSIX (v7) header that
// Python's tarfile accepts (torch.load reads such a file as a tar checkpoint).
bool is_tar(ByteView b) {
  return b.size() >= 512 && (std::memcmp(b.data() + 257, "ustar", 5) == 0 || tar::looks_like_tar_header(b));
}

// The header is only two bytes: a zlib stream is claimed when its first bytes actually inflate.
bool zlib_stream_starts(ByteView b) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return false;
  std::uint8_t out[16];
  zs.next_in = const_cast<Bytef*>(b.data());
  zs.avail_in = static_cast<uInt>(std::min<std::size_t>(b.size(), 4096));
  zs.next_out = out;
  zs.avail_out = sizeof out;
  int rc = inflate(&zs, Z_SYNC_FLUSH);
  bool ok = (rc == Z_OK || rc == Z_STREAM_END) && zs.total_out > 0;
  inflateEnd(&zs);
  return ok;
}

}  // namespace

std::size_t torch_legacy_magic_length(ByteView b) {
  // Protocol 0 and 1: the long as text.
  static constexpr std::string_view text = "L119547037146038801333356L\n.";
  if (starts_with(b, text)) return text.size();
  // Protocol 2+: PROTO n, an optional FRAME, LONG1 with the 10 little-endian bytes, STOP.
  static constexpr std::string_view long1("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 13);
  if (b.size() < 2 || b[0] != 0x80 || b[1] < 2 || b[1] > 5) return 0;
  std::size_t pos = 2;
  if (b.size() > pos && b[pos] == 0x95) pos += 9;
  if (pos > b.size() || !starts_with(b.subspan(pos), long1)) return 0;
  return pos + long1.size();
}

bool starts_with_7z_or_compressor_magic(ByteView b) {
  // lzma-alone (joblib's "lzma" compressor): joblib takes any file starting 5d 00 for one, and
  // liblzma accepts any dictionary size after the properties byte. (No pickle starts 5d 00: 0x00
  // is no opcode.)
  return starts_with(b, "7z\xbc\xaf\x27\x1c") || starts_with(b, "\x1f\x8b") || starts_with(b, "BZh") ||
         starts_with(b, "\xfd" "7zXZ\x00") || starts_with(b, "\x04\x22\x4d\x18") ||
         starts_with(b, "\x28\xb5\x2f\xfd") || (b.size() >= 13 && b[0] == 0x5d && b[1] == 0x00);
}

namespace {

// One pass over the file for both class names (they share their tail).
bool names_a_joblib_wrapper(std::string_view all) {
  constexpr std::string_view tail = "ArrayWrapper";
  for (auto at = all.find(tail); at != std::string_view::npos; at = all.find(tail, at + 1)) {
    std::string_view before = all.substr(0, at);
    if (before.ends_with("Numpy") || before.ends_with("ND")) return true;
  }
  return false;
}

}  // namespace

bool looks_like_npy(ByteView b) { return starts_with(b, "\x93NUMPY"); }

bool looks_like_torch_legacy(ByteView b) { return torch_legacy_magic_length(b) != 0; }

bool looks_like_archive(ByteView b) { return starts_with_7z_or_compressor_magic(b) || is_tar(b); }

bool looks_like_joblib_compressed(ByteView b) {
  // joblib's zlib compressor writes a bare zlib stream; "ZF" is joblib < 0.9.3's zlib container.
  if (b.size() >= 2 && b[0] == 0x78 && (b[1] & 0x20) == 0 && ((b[0] << 8) | b[1]) % 31 == 0 &&
      zlib_stream_starts(b))
    return true;
  // joblib < 0.9.3 ("compat"): "ZF", then 19 bytes that joblib reads with int(..., 16) (writers put
  // "0x" and the length there; any form int() accepts loads).
  return b.size() >= 21 && starts_with(b, "ZF") && pickle::python_int(as_chars(b.subspan(2, 19)), 16).ok;
}

bool looks_like_joblib_pickle(const Artifact& artifact) {
  // joblib.load reads raw array bytes after every wrapper it builds, in a pickle of any protocol,
  // wherever the first wrapper is: the whole file is searched for the class names (joblib's own
  // NumpyArrayWrapper and the pre-0.10 NDArrayWrapper), not a prefix.
  // The machine confirms that the file is a pickle that imports one before its first array.
  ByteView b = artifact.bytes;
  return !b.empty() && pickle::op_name(b[0]) != nullptr && names_a_joblib_wrapper(as_chars(b)) &&
         probe_pickle_at_start(artifact).joblib_wrapper;
}

}  // namespace modelgate
