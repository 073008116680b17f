#pragma once
// Two readings of one 7z archive: the hand-written header reader (sevenzip_headers.h, the view of
// py7zr and the 7z tools, which parse the headers with their own code) and libarchive (which
// modelgate extracts members with). Any difference in names, types, sizes, order or content means
// two tools unpack two different trees: the archive is refused.
#include <cstddef>
#include <cstdint>

#include "container/archive_walk.h"
#include "container/sevenzip_headers.h"
#include "core/bytes.h"
#include "modelgate/report.h"
#include "artifact/artifact.h"

namespace modelgate {

// The header reading's findings (MG-7Z-MALFORMED, MG-7Z-UNREFERENCED-DATA, MG-ARCHIVE-DUPLICATE)
// and its comparison with the entries libarchive read (MG-ARCHIVE-READERS-DISAGREE).
void report_sevenzip_views(const Artifact& a, const Expected<sevenzip::Listing>& listing,
                           const ArchiveListing& libarchive, ArtifactReport& report);

// libarchive hands out regular members in header order: the `index`-th one's bytes must have the
// size and the CRC-32 the header gives that file (what 7z and py7zr verify on extraction).
void check_sevenzip_member(const Artifact& a, const Expected<sevenzip::Listing>& listing, std::size_t index,
                           const std::string& name, ByteView bytes, ArtifactReport& report);

}  // namespace modelgate
