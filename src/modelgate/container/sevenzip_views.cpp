#include "container/sevenzip_views.h"
#include "core/crc32.h"
#include "core/rule_catalog.h"

#include <archive_entry.h>

#include <map>


namespace modelgate {

namespace {

const char* sevenzip_type_name(unsigned ae_type) {
  switch (ae_type) {
    case AE_IFREG: return "file";
    case AE_IFDIR: return "directory";
    case AE_IFLNK: return "symbolic link";
    default: return "special file";
  }
}

unsigned sevenzip_ae_type(sevenzip::EntryType t) {
  switch (t) {
    case sevenzip::EntryType::file: return AE_IFREG;
    case sevenzip::EntryType::directory: return AE_IFDIR;
    case sevenzip::EntryType::symlink: return AE_IFLNK;
    case sevenzip::EntryType::special: break;
  }
  return 0;
}

std::string sevenzip_views_disagree(const sevenzip::Listing& listing, const ArchiveListing& libarchive) {
  const auto& theirs = libarchive.entries;
  const auto& mine = listing.entries;
  for (std::size_t i = 0; i < std::min(theirs.size(), mine.size()); ++i) {
    unsigned my_type = sevenzip_ae_type(mine[i].type);
    // A Unix mode without a file type (py7zr writes one for empty files) is a regular file to
    // libarchive's extraction, as read_archive treats it.
    unsigned their_type = theirs[i].type == 0 ? AE_IFREG : theirs[i].type;
    bool same_type = my_type == their_type || (my_type == 0 && their_type != AE_IFREG && their_type != AE_IFDIR &&
                                               their_type != AE_IFLNK);
    bool sizes_count = my_type == AE_IFREG && their_type == AE_IFREG;
    if (mine[i].name != theirs[i].name || !same_type || (sizes_count && mine[i].size != theirs[i].size))
      return "entry #" + std::to_string(i + 1) + " is '" + mine[i].name + "' (" + sevenzip_type_name(my_type) + ", " +
             std::to_string(mine[i].size) + " bytes) in the headers (7z, py7zr) but '" + theirs[i].name + "' (" +
             sevenzip_type_name(their_type) + ", " + std::to_string(theirs[i].size) + " bytes) for libarchive";
  }
  // libarchive stopping early is refused by its own finding (a member unreadable, a limit).
  if (theirs.size() != mine.size() && libarchive.reached_end)
    return "the headers (7z, py7zr) list " + std::to_string(mine.size()) + " entries, libarchive " +
           std::to_string(theirs.size());
  return {};
}

}  // namespace

void report_sevenzip_views(const Artifact& a, const Expected<sevenzip::Listing>& read,
                           const ArchiveListing& libarchive, ArtifactReport& report) {
  auto add = [&](RuleId id, std::optional<std::uint64_t> off, std::string msg, std::string ev = {}) {
    report.add(make_finding(rule(id), a.origin, off, std::move(msg), std::move(ev)));
  };
  if (!read) {
    // An encrypted header hides the names: libarchive's own reading reports the encryption.
    const Error& e = read.error();
    if (e.rule != RuleId("MG-ARCHIVE-ENCRYPTED")) add(e.rule, e.offset, e.reason);
    return;
  }
  const sevenzip::Listing& listing = *read;
  if (listing.unreferenced_bytes > 0)
    add("MG-7Z-UNREFERENCED-DATA", listing.first_unreferenced,
        std::to_string(listing.unreferenced_bytes) + " bytes belong to no packed stream and no header");
  if (auto diff = sevenzip_views_disagree(listing, libarchive); !diff.empty())
    add("MG-ARCHIVE-READERS-DISAGREE", std::nullopt, diff);
  std::map<std::string, int> count;
  for (const auto& e : listing.entries) ++count[e.name];
  for (const auto& [name, n] : count)
    if (n > 1)
      add("MG-ARCHIVE-DUPLICATE", std::nullopt,
          "entry '" + name + "' occurs " + std::to_string(n) +
              " times: 7z and py7zr extract every copy over the previous one (the last wins). Every copy is scanned",
          name);
}

void check_sevenzip_member(const Artifact& a, const Expected<sevenzip::Listing>& read, std::size_t index,
                           const std::string& name, ByteView bytes, ArtifactReport& report) {
  if (!read || read->encrypted) return;
  const sevenzip::Listing& listing = *read;
  std::size_t i = 0;
  for (const auto& e : listing.entries) {
    if (e.type != sevenzip::EntryType::file) continue;
    if (i++ != index) continue;
    // Matched by position only: the list comparison has already compared the names.
    if (e.has_stream && !e.crc) {
      report.add(make_finding(rule("MG-ARCHIVE-HEADER-AMBIGUOUS"), a.origin, std::nullopt,
                              "entry '" + name + "' has no CRC-32 in the 7z headers: libarchive's bytes cannot be "
                              "proven to be what 7z and py7zr extract"));
      return;
    }
    std::string problem;
    if (bytes.size() != e.size)
      problem = "unpacks to " + std::to_string(bytes.size()) + " bytes in libarchive, " + std::to_string(e.size) +
                " in the headers";
    else if (e.crc && crc32_update(0, bytes) != *e.crc)
      problem = "unpacks in libarchive to bytes whose CRC-32 is not the one the headers give (7z and py7zr check it)";
    if (!problem.empty())
      report.add(make_finding(rule("MG-ARCHIVE-READERS-DISAGREE"), a.origin, std::nullopt,
                              "entry '" + name + "' " + problem));
    return;
  }
  report.add(make_finding(rule("MG-ARCHIVE-READERS-DISAGREE"), a.origin, std::nullopt,
                          "libarchive extracts a file '" + name + "' the headers do not list"));
}

}  // namespace modelgate
