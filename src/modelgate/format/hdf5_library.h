#pragma once
// Starting libhdf5 once for the whole process.

namespace modelgate {

// Initialises libhdf5 without its exit handler and with its error printing off. At exit libhdf5
// would close every file still open, and a malformed file whose close failed is left half closed,
// over bytes that are gone by then: a fuzzed input crashed H5F__close_cb at exit. Idempotent.
void start_hdf5();

}  // namespace modelgate
