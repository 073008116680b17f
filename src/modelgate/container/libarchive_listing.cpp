#include "container/libarchive_listing.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace modelgate {

LibarchiveEntry listed_entry(struct archive_entry* e, bool utf8) {
  const char* pn = utf8 ? archive_entry_pathname_utf8(e) : archive_entry_pathname(e);
  LibarchiveEntry entry;
  entry.name = pn ? pn : "";
  while (entry.name.size() > 1 && entry.name.back() == '/') entry.name.pop_back();
  entry.size = archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0;
  entry.type = archive_entry_filetype(e);
  return entry;
}

std::vector<LibarchiveEntry> list_tar_with_libarchive(ByteView bytes, std::uint32_t max_members, std::string& error) {
  struct Closer {
    void operator()(struct archive* p) const { archive_read_free(p); }
  };
  std::vector<LibarchiveEntry> out;
  std::unique_ptr<struct archive, Closer> ar(archive_read_new());
  if (!ar) {
    error = "libarchive could not be initialised";
    return out;
  }
  archive_read_support_format_tar(ar.get());
  archive_read_support_format_gnutar(ar.get());
  if (archive_read_open_memory(ar.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    error = "libarchive cannot open it";
    return out;
  }
  for (std::uint32_t n = 0; n <= max_members; ++n) {
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(ar.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      const char* s = archive_error_string(ar.get());
      error = std::string("libarchive stops: ") + (s ? s : "unknown error");
      break;
    }
    out.push_back(listed_entry(e, false));
    archive_read_data_skip(ar.get());
  }
  return out;
}

}  // namespace modelgate
