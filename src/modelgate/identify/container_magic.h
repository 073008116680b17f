#pragma once
// Magic numbers of the container formats (ZIP, libarchive formats, npy, legacy torch, joblib's
// zlib stream). Checked before the pickle probe.
#include <optional>

#include "core/bytes.h"
#include "identify/identify.h"

namespace modelgate {

struct Artifact;

std::optional<Format> identify_container(const Artifact& artifact);

// 7z's signature or a compressor's magic (gzip, bzip2, xz, lz4, zstd, lzma-alone) at byte 0: what
// libarchive, py7zr, the 7z tool and joblib identify the file by.
bool starts_with_7z_or_compressor_magic(ByteView bytes);

// The first pickle of a legacy torch checkpoint, literally as torch.save writes it (any protocol):
// the magic number 0x1950a86a20f9469cfc6c. Returns its length (the offset after STOP) or 0.
std::size_t torch_legacy_magic_length(ByteView bytes);

}  // namespace modelgate
