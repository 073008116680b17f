#pragma once
// Shared libraries that only some inputs or commands need (libhdf5 for Keras HDF5 files, libpq for
// a PostgreSQL inventory) are loaded at first use instead of at every start: with what they pull
// in, they were about half of the dynamic loader's work, which was half the time of a small scan.
//
// A confined parse worker cannot open files, so it cannot load a library either: there, a library
// that is not loaded yet throws LibraryNeeded, the worker ends with a status that says so, and the
// broker loads the library and gives the file to a fresh worker, which inherits it.
#include <string>

namespace modelgate {

struct LibraryNeeded {
  std::string soname;
};

// The library's handle, loading it the first time (dlopen by its SONAME, every symbol bound now).
// Null, with `error` naming the library and why, when it cannot be loaded. Throws LibraryNeeded
// after forbid_library_loading(): its callers keep what they bound, and look here only once.
void* load_library(const std::string& soname, std::string& error);

// The address of `name` in `library`; null, with `error` set, when it has none.
void* library_symbol(void* library, const char* name, std::string& error);

// Binds a function or object pointer of the library by name, with its declared type.
template <class Pointer>
bool bind_symbol(void* library, const char* name, Pointer& out, std::string& error) {
  out = reinterpret_cast<Pointer>(library_symbol(library, name, error));
  return out != nullptr;
}

// From here on (in this process) load_library() loads nothing: called by a parse worker before it
// confines itself.
void forbid_library_loading();

}  // namespace modelgate
