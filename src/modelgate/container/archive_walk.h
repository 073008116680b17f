#pragma once
// Reading members out of libarchive-supported archives into bounded buffers.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "container/libarchive_listing.h"
#include "artifact/nested_scan.h"

namespace modelgate {

using MemberVisitor = std::function<void(const std::string& name, std::shared_ptr<UnpackedBuffer> bytes)>;

struct ArchiveListing {
  std::string format;  // libarchive's name: "7-Zip", "POSIX ustar format", "raw"
  std::string filter;  // outermost compression filter, if any: "gzip", "xz", ...
  std::vector<std::string> names;      // the regular members handed to the visitor
  std::vector<LibarchiveEntry> entries;  // every header libarchive read, of any type
  bool reached_end = false;              // libarchive read up to its end of archive
  std::vector<Finding> findings;
};

// Calls `visit` for every regular member, in archive order, within the limits; member bytes are
// charged to the top-level artifact's budget as they are unpacked. Stops at the first member that
// cannot be read completely (a finding that refuses the archive).
ArchiveListing read_archive(const Artifact& a, NestedScan& ctx, const MemberVisitor& visit);

// PyTorch's pre-1.0 tar checkpoint: members sys_info, pickle, tensors, storages.
bool is_legacy_torch_tar(const std::vector<std::string>& names);

}  // namespace modelgate
