#include "core/lazy_library.h"

#include <dlfcn.h>

#include <atomic>

namespace modelgate {

namespace {

std::atomic<bool> loading_forbidden{false};
std::shared_mutex loading;
std::atomic<std::uint64_t> loads{0};

}  // namespace

Expected<void*> load_library(const std::string& soname) {
  // A worker uses only what was loaded and bound before it was forked: it never touches the
  // loader's state, which another of the broker's threads may have held at the fork.
  if (loading_forbidden.load()) throw LibraryNeeded{soname};
  std::unique_lock lock(loading);
  void* library = ::dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    return parse_error(0, "cannot load " + soname + ": " + (why ? why : "unknown error"));
  }
  loads.fetch_add(1);
  return library;
}

Expected<void*> library_symbol(void* library, const char* name) {
  ::dlerror();
  void* symbol = ::dlsym(library, name);
  if (symbol == nullptr) return parse_error(0, std::string("the library has no symbol ") + name);
  return symbol;
}

std::shared_mutex& library_loading_lock() { return loading; }

std::uint64_t library_loads() { return loads.load(); }

void forbid_library_loading() { loading_forbidden.store(true); }

}  // namespace modelgate
