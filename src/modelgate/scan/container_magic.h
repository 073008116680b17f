#pragma once
// Magic numbers of the container formats (ZIP, libarchive formats, npy, legacy torch, joblib's
// zlib stream). Checked before the pickle probe.
#include <optional>

#include "core/bytes.h"
#include "scan/identify.h"

namespace modelgate {

std::optional<Format> identify_container(ByteView bytes);

// The first pickle of a legacy torch checkpoint, literally as torch.save writes it (any protocol):
// the magic number 0x1950a86a20f9469cfc6c. Returns its length (the offset after STOP) or 0.
std::size_t torch_legacy_magic_length(ByteView bytes);

}  // namespace modelgate
