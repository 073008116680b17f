#pragma once
// A read-only libhdf5 file driver over bytes modelgate already holds. libhdf5's own in-memory
// ("core") driver copies the whole image and, opening read-only, first tries to open() the file
// name it is given; this driver makes no system call and serves reads from the bytes, with zeros
// past their end as libhdf5's file drivers do.
#include "core/bytes.h"
#include "format/hdf5_library.h"

namespace modelgate {

// Sets the driver on a file access property list; `bytes` must outlive every file opened with it.
// Negative on failure, like libhdf5's calls.
herr_t set_hdf5_memory_driver(const Hdf5Library& h5, hid_t fapl, ByteView bytes);

}  // namespace modelgate
