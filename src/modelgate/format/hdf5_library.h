#pragma once
// libhdf5, loaded and started once per process when the first HDF5 file is met
// (core/lazy_library.h): Keras HDF5 files are the only input that needs it, and loading it with
// what it pulls in (libcurl among others) at every start cost more than a small scan.
#include <hdf5.h>

#include <string>

#include "core/lazy_library.h"

namespace modelgate {

// Every libhdf5 function modelgate calls.
#define MODELGATE_HDF5_FUNCTIONS(X)                                                                          \
  X(H5open) X(H5dont_atexit) X(H5Eset_auto2) X(H5free_memory)                                              \
  X(H5Fopen) X(H5Fclose) X(H5Pcreate) X(H5Pclose) X(H5Pset_driver) X(H5Pget_driver_info) X(H5FDregister)    \
  X(H5Aexists) X(H5Aopen) X(H5Aclose) X(H5Aget_type) X(H5Aget_space) X(H5Aread)                             \
  X(H5Tcopy) X(H5Tclose) X(H5Tget_class) X(H5Tget_size) X(H5Tset_size) X(H5Tget_sign) X(H5Tget_cset)         \
  X(H5Tset_cset) X(H5Tis_variable_str) X(H5Tget_super) X(H5Sclose) X(H5Sget_simple_extent_npoints)                           \
  X(H5Lvisit) X(H5Oget_info_by_name) X(H5Dopen2) X(H5Dclose) X(H5Dget_type) X(H5Dget_space)                 \
  X(H5Dget_create_plist) X(H5Pget_external_count) X(H5Pget_layout)

// The file access flags (H5F_ACC_RDONLY...), whose macros call into the library to give a constant.
inline constexpr unsigned kHdf5ReadOnly = 0x0000u, kHdf5ReadWrite = 0x0001u, kHdf5Truncate = 0x0002u,
                          kHdf5Exclusive = 0x0004u, kHdf5Create = 0x0010u;

// The functions, bound by name with their declared types, and two identifiers the library defines
// once started. Called as `h5.H5Aopen(...)`.
struct Hdf5Library {
  MODELGATE_HDF5_FUNCTIONS(MODELGATE_LIBRARY_FUNCTION)
  hid_t c_string = H5I_INVALID_HID;     // H5T_C_S1
  hid_t file_access = H5I_INVALID_HID;  // H5P_FILE_ACCESS
};

// libhdf5, loaded if need be and started without its exit handler and with its error printing
// off (at exit libhdf5 would close every file still open, and a malformed file whose close failed
// is left half closed over bytes that are gone by then: a fuzzed input crashed H5F__close_cb at
// exit). An error when it cannot be loaded. In a confined parse worker that was forked before it
// was loaded, throws LibraryNeeded.
Expected<const Hdf5Library*> hdf5_library();

}  // namespace modelgate
