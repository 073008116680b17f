#include "container/tar_views.h"

#include "container/libarchive_library.h"
#include "container/libarchive_listing.h"
#include "core/rule_catalog.h"


#include <cstring>
#include <map>
#include <memory>

namespace modelgate {

std::string tar_views_disagree(ByteView bytes, const tar::Listing& listing, std::uint32_t max_members) {
  const LibarchiveListing libarchive = list_tar_with_libarchive(bytes, max_members);
  const std::vector<LibarchiveEntry>& theirs = libarchive.entries;
  std::string diff;
  std::size_t n = std::min(theirs.size(), listing.members.size());
  for (std::size_t i = 0; i < n && diff.empty(); ++i) {
    const auto& m = listing.members[i];
    std::string mine_name = m.name;
    while (mine_name.size() > 1 && mine_name.back() == '/') mine_name.pop_back();
    std::uint64_t mine = m.python_reads_as_file() ? m.size : 0;
    if (theirs[i].name != mine_name || (theirs[i].size != mine && theirs[i].size != m.size))
      diff = "member #" + std::to_string(i + 1) + " is '" + m.name + "' (" + std::to_string(m.size) +
             " bytes) for tarfile but '" + theirs[i].name + "' (" + std::to_string(theirs[i].size) +
             " bytes) for libarchive";
  }
  if (diff.empty() && theirs.size() != listing.members.size())
    diff = "tarfile sees " + std::to_string(listing.members.size()) + " members, libarchive " +
           std::to_string(theirs.size());
  if (diff.empty() && libarchive.error && !listing.error)
    diff = libarchive.error->message() + " where tarfile reads on";
  return diff;
}

void report_tar_views(const Artifact& a, const tar::Listing& listing, std::uint32_t max_members, ArtifactReport& report) {
  auto add = [&](RuleId id, std::optional<std::uint64_t> off, std::string msg, std::string ev = {}) {
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

Expected<std::shared_ptr<UnpackedBuffer>> decompress_as_tarfile(const Artifact& a, NestedScan& ctx) {
  auto starts = [&](const char* magic, std::size_t n) { return a.bytes.size() >= n && std::memcmp(a.bytes.data(), magic, n) == 0; };
  if (!starts("\x1f\x8b", 2) && !starts("BZh", 3) && !starts("\xfd" "7zXZ\x00", 6)) return std::shared_ptr<UnpackedBuffer>();
  auto reader = new_archive_read();
  if (!reader) return parse_error("MG-ARCHIVE-UNREADABLE", 0, reader.error().message());
  const ArchiveRead& ar = *reader;
  const Libarchive& la = library_of(ar);
  struct archive_entry* e = nullptr;
  if (la.archive_read_support_filter_gzip(ar.get()) != ARCHIVE_OK ||
      la.archive_read_support_filter_bzip2(ar.get()) != ARCHIVE_OK || la.archive_read_support_filter_xz(ar.get()) != ARCHIVE_OK ||
      la.archive_read_support_format_raw(ar.get()) != ARCHIVE_OK ||
      la.archive_read_open_memory(ar.get(), a.bytes.data(), a.bytes.size()) != ARCHIVE_OK ||
      la.archive_read_next_header(ar.get(), &e) != ARCHIVE_OK)
    return parse_error("MG-ARCHIVE-UNREADABLE", 0, "the compressed stream cannot be opened");
  const Limits& limits = ctx.limits();
  auto out = std::make_shared<UnpackedBuffer>(ctx.budget(a), "max_member_unpacked", limits.max_member_unpacked);
  std::uint8_t chunk[64 * 1024];
  bool checked_header = false;  // tarfile gives up on a stream whose first block is no tar header
  for (;;) {
    la_ssize_t n = la.archive_read_data(ar.get(), chunk, sizeof chunk);
    if (!checked_header && (n == 0 || out->size() >= 512)) {
      if (!tar::looks_like_tar_header(out->bytes())) return std::shared_ptr<UnpackedBuffer>();
      checked_header = true;
    }
    if (n == 0) return out;
    if (n < 0) {
      const char* s = la.archive_error_string(ar.get());
      return parse_error("MG-ARCHIVE-UNREADABLE", 0,
                         std::string("the compressed stream cannot be read completely: ") + (s ? s : "unknown error"));
    }
    if (!out->append(chunk, static_cast<std::size_t>(n)))
      return parse_error("MG-LIMIT-EXCEEDED", 0, "decompressing it for tarfile's reading goes " + out->exceeded_reason());
    if (out->size() > (16u << 20) && out->size() / std::max<std::size_t>(a.bytes.size(), 1) >= limits.max_compression_ratio)
      return parse_error("MG-ARCHIVE-BOMB", 0,
                         "more than " + std::to_string(limits.max_compression_ratio) +
                             " bytes unpacked per packed byte (max_compression_ratio)");
  }
}

}  // namespace modelgate
