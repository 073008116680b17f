#pragma once
// A structural check of the HDF5 metadata whose size the file declares, run before libhdf5 sees
// the bytes. libhdf5 1.10 allocates some metadata blocks by the length the file declares before it
// compares that length with the end of the file: an object header continuation block, a local
// heap's data segment, a version 2 B-tree's nodes, a fractal heap's blocks. A 900-byte file can
// make it allocate 4 GiB. Every such declaration must describe bytes inside the file.
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"

namespace modelgate {

// The first metadata block declared past the end of `bytes` (or over the walk's budget: one step
// per 8 bytes of the file, at most `max_steps`), as "offset N: reason"; nullopt when every block
// this check knows lies inside the file. Variable-length attribute values are checked too (libhdf5
// allocates their declared length first), except those the root group stores densely, in a
// fractal heap: `root_attributes_dense` tells the reader, which must not read such a value.
std::optional<std::string> hdf5_metadata_defect(ByteView bytes, std::uint64_t max_steps,
                                                bool* root_attributes_dense = nullptr);

}  // namespace modelgate
