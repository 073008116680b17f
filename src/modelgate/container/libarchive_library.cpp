#include "container/libarchive_library.h"

namespace modelgate {

namespace {

std::optional<Error> bind_libarchive(void* handle, Libarchive& table) {
  MODELGATE_LIBARCHIVE_FUNCTIONS(MODELGATE_BIND_LIBRARY_FUNCTION)
  return std::nullopt;
}

constinit LibraryTable<Libarchive> libarchive_table(MODELGATE_LIBARCHIVE_SONAME, bind_libarchive);

}  // namespace

Expected<const Libarchive*> libarchive_library() {
  return libarchive_table.get();
}

Expected<ArchiveRead> new_archive_read() {
  auto library = libarchive_library();
  if (!library) return library.error();
  const Libarchive* la = *library;
  ArchiveRead ar(la->archive_read_new(), ArchiveReadFree{la});
  if (!ar) return parse_error(0, "libarchive could not be initialised");
  return ar;
}

}  // namespace modelgate
