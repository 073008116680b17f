#pragma once
// libarchive, loaded once per process when the first archive is met (core/lazy_library.h): only
// 7z, compressed tar and single-stream compressed files need it, and loading it with what it pulls
// in (libxml2 and ICU among others) at every start cost about 5 ms.
#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

#include "core/lazy_library.h"

namespace modelgate {

// Every libarchive function modelgate calls.
#define MODELGATE_LIBARCHIVE_FUNCTIONS(X)                                                                     \
  X(archive_read_new) X(archive_read_free) X(archive_read_open_memory) X(archive_read_next_header)          \
  X(archive_read_data) X(archive_read_data_skip) X(archive_error_string) X(archive_format)                  \
  X(archive_format_name) X(archive_filter_count) X(archive_filter_name)                                     \
  X(archive_read_support_format_raw) X(archive_read_support_format_tar) X(archive_read_support_format_gnutar) \
  X(archive_read_support_format_7zip) X(archive_read_support_filter_gzip) X(archive_read_support_filter_bzip2) \
  X(archive_read_support_filter_xz) X(archive_read_support_filter_lzma) X(archive_read_support_filter_zstd)  \
  X(archive_read_support_filter_lz4) X(archive_entry_pathname) X(archive_entry_pathname_utf8)               \
  X(archive_entry_size) X(archive_entry_size_is_set) X(archive_entry_filetype) X(archive_entry_hardlink)    \
  X(archive_entry_symlink) X(archive_entry_is_encrypted)

// The functions, bound by name with their declared types. Called as `la.archive_read_new()`.
struct Libarchive {
  MODELGATE_LIBARCHIVE_FUNCTIONS(MODELGATE_LIBRARY_FUNCTION)
};

struct ArchiveReadFree {
  const Libarchive* la;
  void operator()(struct archive* a) const { la->archive_read_free(a); }
};
using ArchiveRead = std::unique_ptr<struct archive, ArchiveReadFree>;

// A new libarchive reader; library_of() gives the library it came from. An error when libarchive
// cannot be loaded or cannot make a reader. In a confined parse worker forked before libarchive was
// loaded, throws LibraryNeeded: call it before handing libarchive any callback.
Expected<ArchiveRead> new_archive_read();

// The library `ar` came from (new_archive_read).
inline const Libarchive& library_of(const ArchiveRead& ar) { return *ar.get_deleter().la; }

// libarchive, loaded if need be; an error when it cannot be. Throws like new_archive_read.
Expected<const Libarchive*> libarchive_library();

}  // namespace modelgate
