#pragma once
// Shared libraries that only some inputs or commands need (libarchive for archives, libhdf5 for
// Keras HDF5 files, libpq for a PostgreSQL inventory) are loaded at first use instead of at every start: with what they pull
// in, they were about half of the dynamic loader's work, which was half the time of a small scan.
//
// A confined parse worker cannot open files, so it cannot load a library either: there, a library
// that is not loaded yet throws LibraryNeeded, the worker ends with a status that says so, and the
// broker loads the library and gives the file to a fresh worker, which inherits it.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "core/expected.h"

namespace modelgate {

struct LibraryNeeded {
  std::string soname;
};

// The library's handle, loading it the first time (dlopen by its SONAME, every symbol bound now).
// An error naming the library and why when it cannot be loaded. Throws LibraryNeeded after
// forbid_library_loading(): its callers keep what they bound, and look here only once.
Expected<void*> load_library(const std::string& soname);

// The address of `name` in `library`; an error when it has none.
Expected<void*> library_symbol(void* library, const char* name);

// Binds a function or object pointer of the library by name, with its declared type; the error
// when the library has no such symbol (`out` is then null).
template <class Pointer>
std::optional<Error> bind_symbol(void* library, const char* name, Pointer& out) {
  auto symbol = library_symbol(library, name);
  out = symbol ? reinterpret_cast<Pointer>(*symbol) : nullptr;
  if (!symbol) return symbol.error();
  return std::nullopt;
}

// A table of a library's functions is listed by an X-macro: MODELGATE_LIBRARY_FUNCTION declares a
// member per function with its declared type, and MODELGATE_BIND_LIBRARY_FUNCTION, inside a bind
// function whose parameters are `handle` and `table` and which returns std::optional<Error>, binds
// each one by name.
#define MODELGATE_LIBRARY_FUNCTION(name) decltype(&::name) name = nullptr;
#define MODELGATE_BIND_LIBRARY_FUNCTION(name) \
  if (auto unbound = bind_symbol(handle, #name, table.name)) return unbound;

// A library's table of functions, bound the first time it is asked for and then shared by every
// thread (and by the workers forked afterwards). `bind` fills the table from the library's handle.
// Declared `constinit` at namespace scope: a function-local static's guard, held by a thread at a
// fork, would stay held in the worker.
template <class Table>
class LibraryTable {
 public:
  using Bind = std::optional<Error> (*)(void* handle, Table& table);
  constexpr LibraryTable(const char* soname, Bind bind) : soname_(soname), bind_(bind) {}

  // The bound table; an error when the library cannot be loaded or lacks a symbol. Throws
  // LibraryNeeded like load_library.
  Expected<const Table*> get() {
    if (const Table* table = bound_.load(std::memory_order_acquire)) return table;
    auto handle = load_library(soname_);
    if (!handle) return handle.error();
    std::lock_guard lock(binding_);
    if (const Table* table = bound_.load(std::memory_order_acquire)) return table;
    auto table = std::make_unique<Table>();
    if (auto unbound = bind_(*handle, *table)) return *unbound;
    bound_.store(table.get(), std::memory_order_release);
    return static_cast<const Table*>(table.release());  // for the life of the process, as the library is
  }

 private:
  const char* soname_;
  Bind bind_;
  std::atomic<const Table*> bound_{nullptr};
  std::mutex binding_;
};

// Held (shared) by a thread that forks a parse worker, so that no worker is forked while another
// thread is inside the dynamic loader loading a library (load_library holds it exclusively): the
// worker would inherit the loader's lock held, and wait on it for ever.
std::shared_mutex& library_loading_lock();

// How many times load_library() has loaded a library in this process: a worker forked when it
// was lower may lack one.
std::uint64_t library_loads();

// From here on (in this process) load_library() loads nothing: called by a parse worker before it
// confines itself.
void forbid_library_loading();

}  // namespace modelgate
