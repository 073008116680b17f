#pragma once
// Two views of one uncompressed tar: Python's tarfile (tar_headers.h, what torch.load and most
// extraction scripts use) and libarchive (what modelgate extracts members with). Where they list
// different members, sizes or order, or give a member different bytes, two tools unpack two
// different trees.
#include <cstdint>
#include <string>

#include "core/rule_id.h"
#include "readers/tar_headers.h"
#include "core/bytes.h"
#include "modelgate/report.h"
#include "artifact/artifact.h"
#include "artifact/nested_scan.h"

namespace modelgate {

// The first difference between tarfile's listing and libarchive's (names, sizes, count, order,
// or libarchive stopping where tarfile reads on); empty when they agree.
std::string tar_views_disagree(ByteView bytes, const tar::Listing& listing, std::uint32_t max_members);

// For a generic uncompressed tar scanned through libarchive: reports where tarfile would read it
// differently (MG-ARCHIVE-READERS-DISAGREE, MG-ARCHIVE-HEADER-AMBIGUOUS, MG-ARCHIVE-DUPLICATE).
void report_tar_views(const Artifact& a, const tar::Listing& listing, std::uint32_t max_members, ArtifactReport& report);

// The name and bytes tarfile would extract for the `index`-th regular member (libarchive hands
// out regular members in the same order once the listings agree); false when there is none.
bool tarfile_member_bytes(ByteView bytes, const tar::Listing& listing, std::size_t index, std::string& name,
                          ByteView& out);

// What tarfile.open (mode "r:*", the default) reads from a gzip, bzip2 or xz file: the whole
// decompressed stream, charged to the artifact's budget (max_member_unpacked, the ratio limit).
// nullptr when the file is not one of those or does not decompress to a tar (a compressed joblib
// file); an error, under the rule that refuses the file, when it cannot be decompressed within the
// limits.
Expected<std::shared_ptr<UnpackedBuffer>> decompress_as_tarfile(const Artifact& a, NestedScan& ctx);

}  // namespace modelgate
