// TEMPORARY ADAPTER, see keras_archive_reader.h.
#include "format/keras_archive_reader.h"

#include <archive.h>
#include <archive_entry.h>

namespace modelgate {

namespace {

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

ArchivePtr open_zip(ByteView zip) {
  ArchivePtr a(archive_read_new());
  if (!a) return a;
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK) a.reset();
  return a;
}

std::string error_text(archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown libarchive error";
}

}  // namespace

Expected<std::vector<std::string>> list_keras_member_names(ByteView zip, std::size_t max_members) {
  ArchivePtr a = open_zip(zip);
  if (!a) return parse_error(0, "not a readable ZIP archive");
  std::vector<std::string> names;
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    if (names.size() >= max_members) return parse_error(0, "more than " + std::to_string(max_members) + " members");
    const char* n = archive_entry_pathname(e);
    names.emplace_back(n ? n : "");
  }
  if (rc != ARCHIVE_EOF) return parse_error(0, error_text(a.get()));
  return names;
}

Expected<std::vector<KerasMember>> read_keras_members(ByteView zip, const Limits& limits) {
  ArchivePtr a = open_zip(zip);
  if (!a) return parse_error(0, "not a readable ZIP archive");
  std::vector<KerasMember> members;
  std::uint64_t total = 0;
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    if (members.size() >= limits.max_archive_members)
      return parse_error(0, "more than " + std::to_string(limits.max_archive_members) + " members");
    const char* n = archive_entry_pathname(e);
    std::string name = n ? n : "";
    std::vector<std::uint8_t> data;
    std::uint8_t chunk[65536];
    for (;;) {
      la_ssize_t got = archive_read_data(a.get(), chunk, sizeof chunk);
      if (got < 0) return parse_error(0, "member '" + name + "': " + error_text(a.get()));
      if (got == 0) break;
      auto g = static_cast<std::size_t>(got);
      if (data.size() + g > limits.max_member_unpacked || total + g > limits.max_total_unpacked)
        return parse_error(0, "member '" + name + "' unpacks beyond the size limit");
      if (zip.size() > 0 && (data.size() + g) / zip.size() > limits.max_compression_ratio)
        return parse_error(0, "member '" + name + "' exceeds the compression ratio limit");
      data.insert(data.end(), chunk, chunk + g);
      total += g;
    }
    members.push_back({std::move(name), std::make_shared<const OwnedBuffer>(std::move(data))});
  }
  if (rc != ARCHIVE_EOF) return parse_error(0, error_text(a.get()));
  return members;
}

}  // namespace modelgate
