#include "container/tar_views.h"

#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <memory>

namespace modelgate {

std::string tar_views_disagree(ByteView bytes, const tar::Listing& listing, std::uint32_t max_members) {
  struct Closer {
    void operator()(struct archive* p) const { archive_read_free(p); }
  };
  std::unique_ptr<struct archive, Closer> ar(archive_read_new());
  if (!ar) return "libarchive could not be initialised";
  archive_read_support_format_tar(ar.get());
  archive_read_support_format_gnutar(ar.get());
  std::vector<std::pair<std::string, std::uint64_t>> theirs;
  std::string err;
  if (archive_read_open_memory(ar.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    err = "libarchive cannot open it";
  } else {
    for (std::uint32_t n = 0; n <= max_members; ++n) {
      struct archive_entry* e = nullptr;
      int rc = archive_read_next_header(ar.get(), &e);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
        const char* s = archive_error_string(ar.get());
        err = std::string("libarchive stops: ") + (s ? s : "unknown error");
        break;
      }
      const char* pn = archive_entry_pathname(e);
      std::string name = pn ? pn : "";
      while (name.size() > 1 && name.back() == '/') name.pop_back();
      theirs.emplace_back(name, archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0);
      archive_read_data_skip(ar.get());
    }
  }
  std::string diff;
  std::size_t n = std::min(theirs.size(), listing.members.size());
  for (std::size_t i = 0; i < n && diff.empty(); ++i) {
    const auto& m = listing.members[i];
    std::string mine_name = m.name;
    while (mine_name.size() > 1 && mine_name.back() == '/') mine_name.pop_back();
    std::uint64_t mine = m.python_reads_as_file() ? m.size : 0;
    if (theirs[i].first != mine_name || (theirs[i].second != mine && theirs[i].second != m.size))
      diff = "member #" + std::to_string(i + 1) + " is '" + m.name + "' (" + std::to_string(m.size) +
             " bytes) for tarfile but '" + theirs[i].first + "' (" + std::to_string(theirs[i].second) +
             " bytes) for libarchive";
  }
  if (diff.empty() && theirs.size() != listing.members.size())
    diff = "tarfile sees " + std::to_string(listing.members.size()) + " members, libarchive " +
           std::to_string(theirs.size());
  if (diff.empty() && !err.empty() && !listing.error) diff = err + " where tarfile reads on";
  return diff;
}

void report_tar_views(const Artifact& a, const tar::Listing& listing, std::uint32_t max_members, ArtifactReport& report) {
  auto add = [&](const char* id, std::optional<std::uint64_t> off, std::string msg, std::string ev = {}) {
    report.add(make_finding(rule(id), a.origin, off, std::move(msg), std::move(ev)));
  };
  if (listing.error)
    add("MG-ARCHIVE-READERS-DISAGREE", listing.error->offset, "Python's tarfile raises: " + listing.error->reason);
  if (auto diff = tar_views_disagree(a.bytes, listing, max_members); !diff.empty())
    add("MG-ARCHIVE-READERS-DISAGREE", std::nullopt, diff);
  for (const auto& n : listing.notes) add("MG-ARCHIVE-HEADER-AMBIGUOUS", n.offset, n.what);
  if (!listing.clean_end && !listing.error && !listing.end_reason.empty())
    add("MG-ARCHIVE-HEADER-AMBIGUOUS", listing.end_offset, "tarfile stops at " + listing.end_reason);
  std::map<std::string, int> count;
  for (const auto& m : listing.members) ++count[m.name];
  for (const auto& [name, n] : count)
    if (n > 1)
      add("MG-ARCHIVE-DUPLICATE", tar::find_last(listing, name)->header_offset,
          "member '" + name + "' occurs " + std::to_string(n) +
              " times: tarfile's getmember and extractall keep the last copy, other tools the first. Every "
              "copy is scanned",
          name);
}

bool tarfile_member_bytes(ByteView bytes, const tar::Listing& listing, std::size_t index, std::string& name,
                          ByteView& out) {
  std::size_t i = 0;
  for (const auto& m : listing.members) {
    if (m.is_directory() || m.is_link() || !m.python_reads_as_file()) continue;
    if (i++ != index) continue;
    if (m.data_offset > bytes.size() || m.size > bytes.size() - m.data_offset) return false;
    name = m.name;
    out = bytes.subspan(m.data_offset, m.size);
    return true;
  }
  return false;
}

}  // namespace modelgate
