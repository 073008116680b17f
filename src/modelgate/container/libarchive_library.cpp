#include "container/libarchive_library.h"

#include <atomic>
#include <mutex>

#include "core/lazy_library.h"

namespace modelgate {

namespace {

std::atomic<const Libarchive*> bound{nullptr};
std::mutex binding;

}  // namespace

const Libarchive* libarchive_library(std::string& error) {
  if (const Libarchive* la = bound.load(std::memory_order_acquire)) return la;
  void* handle = load_library(MODELGATE_LIBARCHIVE_SONAME, error);
  if (handle == nullptr) return nullptr;
  std::lock_guard lock(binding);
  if (const Libarchive* la = bound.load(std::memory_order_acquire)) return la;
  auto la = std::make_unique<Libarchive>();
#define MODELGATE_LIBARCHIVE_BIND(name) \
  if (!bind_symbol(handle, #name, la->name, error)) return nullptr;
  MODELGATE_LIBARCHIVE_FUNCTIONS(MODELGATE_LIBARCHIVE_BIND)
#undef MODELGATE_LIBARCHIVE_BIND
  bound.store(la.get(), std::memory_order_release);
  return la.release();
}

ArchiveRead new_archive_read(const Libarchive*& la, std::string& error) {
  la = libarchive_library(error);
  if (la == nullptr) return ArchiveRead(nullptr, ArchiveReadFree{nullptr});
  ArchiveRead ar(la->archive_read_new(), ArchiveReadFree{la});
  if (!ar) error = "libarchive could not be initialised";
  return ar;
}

}  // namespace modelgate
