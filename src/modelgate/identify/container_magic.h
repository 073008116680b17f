#pragma once
// Magic numbers of the container formats (libarchive formats, npy, legacy torch, joblib's zlib
// stream and joblib's pickle with raw arrays): identification's probes (format_list.inc), tried
// before the pickle probe.
#include "core/bytes.h"

namespace modelgate {

struct Artifact;

bool looks_like_npy(ByteView bytes);
bool looks_like_torch_legacy(ByteView bytes);
// 7z, a compressor's magic or a tar header: what libarchive reads.
bool looks_like_archive(ByteView bytes);
// joblib's bare zlib stream, or joblib < 0.9.3's "ZF" container.
bool looks_like_joblib_compressed(ByteView bytes);
// A pickle that imports joblib's array wrapper before its first raw array bytes.
bool looks_like_joblib_pickle(const Artifact& artifact);

// 7z's signature or a compressor's magic (gzip, bzip2, xz, lz4, zstd, lzma-alone) at byte 0: what
// libarchive, py7zr, the 7z tool and joblib identify the file by.
bool starts_with_7z_or_compressor_magic(ByteView bytes);

// The first pickle of a legacy torch checkpoint, literally as torch.save writes it (any protocol):
// the magic number 0x1950a86a20f9469cfc6c. Returns its length (the offset after STOP) or 0.
std::size_t torch_legacy_magic_length(ByteView bytes);

}  // namespace modelgate
