#pragma once
// A third view of a ZIP archive, beside miniz's and zipfile's: a reader that walks local headers
// from the first byte and never looks at the central directory, reproduced from libarchive's
// streaming ZIP reader (bsdtar on a pipe; Java's ZipInputStream works the same way). It searches
// forward over bytes that are no header, so it finds entries the directory does not list (hidden
// in gaps), and it ends a stored entry of unknown length at the first "PK\7\8" whose CRC and size
// match the bytes before it, so a descriptor forged inside the data makes it read the rest of that
// member as further entries.
#include <optional>
#include <string>

#include "readers/zip_reader.h"
#include "modelgate/report.h"
#include "artifact/artifact.h"

namespace modelgate {

// The first difference between the central directory's members (their local header offsets, in
// file order) and the entries the streaming reader finds, or where it cannot go on; empty when
// they agree or when the file does not start with a local header (libarchive's streaming reader
// does not take it then; MG-ZIP-PREPENDED-DATA covers that). Local names against central names are
// MG-ZIP-NAME-MISMATCH. Entries of unknown length are followed through their data: a memchr-speed
// search for the descriptor signature, the CRC computed only up to each occurrence.
std::string zip_stream_view_disagrees(ByteView file, const zip::Archive& archive, const Limits& limits);

// Adds MG-ZIP-STREAM-DIVERGENCE to `report` when the two views differ.
void report_zip_stream_view(const Artifact& a, const zip::Archive& archive, const Limits& limits,
                            ArtifactReport& report);

}  // namespace modelgate
