#pragma once
// A third view of a ZIP archive, beside miniz's and zipfile's: a reader that walks local headers
// from the first byte and never looks at the central directory (libarchive's streaming ZIP reader,
// which bsdtar uses on a pipe; Java's ZipInputStream works the same way). It finds entries the
// directory does not list (hidden in gaps between members), and it ends a stored entry written
// with a data descriptor at the first "PK\7\8" whose CRC matches the bytes so far, so a descriptor
// forged inside the data makes it read the rest of that member as further entries.
#include <string>

#include "container/zip_reader.h"
#include "modelgate/report.h"
#include "scan/artifact.h"

namespace modelgate {

// The first difference between the central directory's members (in file order) and the entries
// libarchive's streaming reader lists (names and sizes, count, or the reader stopping early);
// empty when they agree or when the file does not start with a local header (a streaming reader
// cannot read it at all; MG-ZIP-PREPENDED-DATA covers that).
std::string zip_stream_view_disagrees(ByteView file, const zip::Archive& archive, const Limits& limits);

// Adds MG-ZIP-STREAM-DIVERGENCE to `report` when the two views differ.
void report_zip_stream_view(const Artifact& a, const zip::Archive& archive, const Limits& limits,
                            ArtifactReport& report);

}  // namespace modelgate
