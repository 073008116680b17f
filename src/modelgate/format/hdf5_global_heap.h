#pragma once
// A structural check of the HDF5 global heap collections ("GCOL") that runs before libhdf5 sees
// the bytes. libhdf5 1.10 walks a collection's objects by their declared sizes without checking
// that each step moves forward, so an object of size 0 (or a size that wraps the address) keeps it
// in that loop forever when it reads a variable-length string.
#include <optional>
#include <string>

#include "core/bytes.h"

namespace modelgate {

// The first collection whose object walk would not end, as "offset N: reason"; nullopt when every
// collection signature in `bytes` walks to its end (or the file has none).
std::optional<std::string> hdf5_global_heap_defect(ByteView bytes);

}  // namespace modelgate
