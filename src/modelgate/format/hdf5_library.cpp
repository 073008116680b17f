#include "format/hdf5_library.h"

namespace modelgate {

namespace {

// The value of one of the library's global identifiers (H5T_C_S1_g...), valid once it is started.
std::optional<Error> read_identifier(void* handle, const char* name, hid_t& out) {
  const hid_t* id = nullptr;
  if (auto unbound = bind_symbol(handle, name, id)) return unbound;
  out = *id;
  return std::nullopt;
}

std::optional<Error> bind_and_start(void* handle, Hdf5Library& table) {
  MODELGATE_HDF5_FUNCTIONS(MODELGATE_BIND_LIBRARY_FUNCTION)
  table.H5dont_atexit();  // before the library is first initialised, or it has no effect
  table.H5open();
  table.H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (auto unbound = read_identifier(handle, "H5T_C_S1_g", table.c_string)) return unbound;
  return read_identifier(handle, "H5P_CLS_FILE_ACCESS_ID_g", table.file_access);
}

constinit LibraryTable<Hdf5Library> hdf5_table(MODELGATE_HDF5_SONAME, bind_and_start);

}  // namespace

Expected<const Hdf5Library*> hdf5_library() {
  return hdf5_table.get();
}

}  // namespace modelgate
