#include "container/zip_stream_view.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace modelgate {

namespace {

struct StreamReaderCloser {
  void operator()(struct archive* p) const { archive_read_free(p); }
};

std::string without_trailing_slashes(std::string name) {
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  return name;
}

}  // namespace

std::string zip_stream_view_disagrees(ByteView file, const zip::Archive& archive, const Limits& limits) {
  if (file.size() < 4 || std::memcmp(file.data(), "PK\x03\x04", 4) != 0) return {};
  std::vector<const zip::Member*> in_file_order;
  for (const auto& m : archive.members) in_file_order.push_back(&m);
  std::stable_sort(in_file_order.begin(), in_file_order.end(), [](const zip::Member* a, const zip::Member* b) {
    return a->local_header_offset < b->local_header_offset;
  });

  std::unique_ptr<struct archive, StreamReaderCloser> ar(archive_read_new());
  if (!ar) return "libarchive could not be initialised";
  archive_read_support_format_zip_streamable(ar.get());
  if (archive_read_open_memory(ar.get(), file.data(), file.size()) != ARCHIVE_OK)
    return "the streaming reader cannot open it";
  auto stops = [&](const std::string& where) {
    const char* s = archive_error_string(ar.get());
    return "the streaming reader stops " + where + ": " + (s ? s : "unknown error");
  };
  for (std::size_t i = 0;; ++i) {
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(ar.get(), &e);
    if (rc == ARCHIVE_EOF) {
      if (i != in_file_order.size())
        return "the streaming reader lists " + std::to_string(i) + " entries, the central directory " +
               std::to_string(in_file_order.size());
      return {};
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return stops("at entry #" + std::to_string(i + 1));
    const char* pn = archive_entry_pathname(e);
    std::string name = without_trailing_slashes(pn ? pn : "");
    if (i >= in_file_order.size() || i >= limits.max_archive_members)
      return "the streaming reader finds an entry '" + name + "' that the central directory does not list";
    const zip::Member& m = *in_file_order[i];
    if (name != without_trailing_slashes(m.name))
      return "entry #" + std::to_string(i + 1) + " in file order is '" + m.name +
             "' for the central directory but '" + name + "' for the streaming reader";
    // The size is in the local header, or (data descriptor) known only once the data has been
    // read: counted then, never more than one byte past what the directory declares.
    std::uint64_t size = 0;
    if (archive_entry_size_is_set(e) && !(m.local_flags & 0x0008)) {
      size = static_cast<std::uint64_t>(archive_entry_size(e));
      if (archive_read_data_skip(ar.get()) != ARCHIVE_OK) return stops("in entry '" + name + "'");
    } else {
      std::uint8_t chunk[64 * 1024];
      for (;;) {
        la_ssize_t n = archive_read_data(ar.get(), chunk, sizeof chunk);
        if (n == 0) break;
        if (n < 0) return stops("in entry '" + name + "'");
        size += static_cast<std::uint64_t>(n);
        if (size > m.uncompressed_size) break;
      }
    }
    if (size != m.uncompressed_size)
      return "entry '" + name + "' holds " + std::to_string(m.uncompressed_size) +
             " bytes for the central directory but " + (size > m.uncompressed_size ? "more" : std::to_string(size)) +
             " for the streaming reader";
  }
}

void report_zip_stream_view(const Artifact& a, const zip::Archive& archive, const Limits& limits,
                            ArtifactReport& report) {
  if (auto diff = zip_stream_view_disagrees(a.bytes, archive, limits); !diff.empty())
    report.add(make_finding(rule("MG-ZIP-STREAM-DIVERGENCE"), a.origin, std::nullopt, diff));
}

}  // namespace modelgate
