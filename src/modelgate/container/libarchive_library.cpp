#include "container/libarchive_library.h"

#include "core/lazy_library.h"

namespace modelgate {

namespace {

bool bind_libarchive(void* handle, Libarchive& la, std::string& error) {
#define MODELGATE_LIBARCHIVE_BIND(name) \
  if (!bind_symbol(handle, #name, la.name, error)) return false;
  MODELGATE_LIBARCHIVE_FUNCTIONS(MODELGATE_LIBARCHIVE_BIND)
#undef MODELGATE_LIBARCHIVE_BIND
  return true;
}

constinit LibraryTable<Libarchive> libarchive_table(MODELGATE_LIBARCHIVE_SONAME, bind_libarchive);

}  // namespace

const Libarchive* libarchive_library(std::string& error) {
  return libarchive_table.get(error);
}

ArchiveRead new_archive_read(const Libarchive*& la, std::string& error) {
  la = libarchive_library(error);
  if (la == nullptr) return ArchiveRead(nullptr, ArchiveReadFree{nullptr});
  ArchiveRead ar(la->archive_read_new(), ArchiveReadFree{la});
  if (!ar) error = "libarchive could not be initialised";
  return ar;
}

}  // namespace modelgate
