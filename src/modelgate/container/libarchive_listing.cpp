#include "container/libarchive_listing.h"

#include <memory>

#include "container/libarchive_library.h"

namespace modelgate {

LibarchiveEntry listed_entry(const Libarchive& la, struct archive_entry* e, bool utf8) {
  const char* pn = utf8 ? la.archive_entry_pathname_utf8(e) : la.archive_entry_pathname(e);
  LibarchiveEntry entry;
  entry.name = pn ? pn : "";
  while (entry.name.size() > 1 && entry.name.back() == '/') entry.name.pop_back();
  entry.size = la.archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(la.archive_entry_size(e)) : 0;
  entry.type = la.archive_entry_filetype(e);
  return entry;
}

LibarchiveListing list_tar_with_libarchive(ByteView bytes, std::uint32_t max_members) {
  LibarchiveListing out;
  auto reader = new_archive_read();
  if (!reader) {
    out.error = reader.error();
    return out;
  }
  const ArchiveRead& ar = *reader;
  const Libarchive& la = library_of(ar);
  la.archive_read_support_format_tar(ar.get());
  la.archive_read_support_format_gnutar(ar.get());
  if (la.archive_read_open_memory(ar.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    out.error = parse_error(0, "libarchive cannot open it");
    return out;
  }
  for (std::uint32_t n = 0; n <= max_members; ++n) {
    struct archive_entry* e = nullptr;
    int rc = la.archive_read_next_header(ar.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      const char* s = la.archive_error_string(ar.get());
      out.error = parse_error(0, std::string("libarchive stops: ") + (s ? s : "unknown error"));
      break;
    }
    out.entries.push_back(listed_entry(la, e, false));
    la.archive_read_data_skip(ar.get());
  }
  return out;
}

}  // namespace modelgate
