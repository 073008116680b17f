#include "format/hdf5_library.h"

namespace modelgate {

namespace {

// The value of one of the library's global identifiers (H5T_C_S1_g...), valid once it is started.
bool read_identifier(void* handle, const char* name, hid_t& out, std::string& error) {
  const hid_t* id = nullptr;
  if (!bind_symbol(handle, name, id, error)) return false;
  out = *id;
  return true;
}

bool bind_and_start(void* handle, Hdf5Library& table, std::string& error) {
  MODELGATE_HDF5_FUNCTIONS(MODELGATE_BIND_LIBRARY_FUNCTION)
  table.H5dont_atexit();  // before the library is first initialised, or it has no effect
  table.H5open();
  table.H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return read_identifier(handle, "H5T_C_S1_g", table.c_string, error) &&
         read_identifier(handle, "H5P_CLS_FILE_ACCESS_ID_g", table.file_access, error);
}

constinit LibraryTable<Hdf5Library> hdf5_table(MODELGATE_HDF5_SONAME, bind_and_start);

}  // namespace

const Hdf5Library* hdf5_library(std::string& error) {
  return hdf5_table.get(error);
}

}  // namespace modelgate
