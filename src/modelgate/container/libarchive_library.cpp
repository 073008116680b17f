#include "container/libarchive_library.h"

namespace modelgate {

namespace {

bool bind_libarchive(void* handle, Libarchive& table, std::string& error) {
  MODELGATE_LIBARCHIVE_FUNCTIONS(MODELGATE_BIND_LIBRARY_FUNCTION)
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
