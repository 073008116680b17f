#include "format/hdf5_library.h"

#include <atomic>
#include <memory>
#include <mutex>

#include "core/lazy_library.h"

namespace modelgate {

namespace {

std::atomic<const Hdf5Library*> started{nullptr};
std::mutex starting;

bool bind_all(void* handle, Hdf5Library& h5, std::string& error) {
#define MODELGATE_HDF5_BIND(name) \
  if (!bind_symbol(handle, #name, h5.name, error)) return false;
  MODELGATE_HDF5_FUNCTIONS(MODELGATE_HDF5_BIND)
#undef MODELGATE_HDF5_BIND
  return true;
}

// The value of one of the library's global identifiers (H5T_C_S1_g...), valid once it is started.
bool read_identifier(void* handle, const char* name, hid_t& out, std::string& error) {
  const hid_t* id = nullptr;
  if (!bind_symbol(handle, name, id, error)) return false;
  out = *id;
  return true;
}

}  // namespace

const Hdf5Library* hdf5_library(std::string& error) {
  if (const Hdf5Library* h5 = started.load(std::memory_order_acquire)) return h5;
  void* handle = load_library(MODELGATE_HDF5_SONAME, error);
  if (handle == nullptr) return nullptr;
  std::lock_guard lock(starting);
  if (const Hdf5Library* h5 = started.load(std::memory_order_acquire)) return h5;
  auto h5 = std::make_unique<Hdf5Library>();
  if (!bind_all(handle, *h5, error)) return nullptr;
  h5->H5dont_atexit();  // before the library is first initialised, or it has no effect
  h5->H5open();
  h5->H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (!read_identifier(handle, "H5T_C_S1_g", h5->c_string, error) ||
      !read_identifier(handle, "H5P_CLS_FILE_ACCESS_ID_g", h5->file_access, error))
    return nullptr;
  started.store(h5.get(), std::memory_order_release);
  return h5.release();
}

}  // namespace modelgate
