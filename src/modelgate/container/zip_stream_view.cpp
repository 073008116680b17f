#include "container/zip_stream_view.h"
#include "core/crc32.h"
#include "core/rule_catalog.h"
#include "core/signature_search.h"

#include <string.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace modelgate {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kDescriptor = 0x08074b50;

std::uint32_t le32(ByteView b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}
std::uint64_t le64(ByteView b, std::size_t at) {
  return le32(b, at) | static_cast<std::uint64_t>(le32(b, at + 4)) << 32;
}
std::uint16_t le16(ByteView b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}

// The next "PK\3\4" (an entry) or directory / end-record signature (the end) at or after `from`,
// as the streaming reader searches over bytes that are no header.
std::optional<std::size_t> next_signature(ByteView f, std::size_t from) {
  for (std::size_t p = from; p + 4 <= f.size(); ++p) {
    const void* hit = std::memchr(f.data() + p, 'P', f.size() - p);
    if (hit == nullptr) return std::nullopt;
    p = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - f.data());
    if (p + 4 > f.size()) return std::nullopt;
    if (f[p + 1] == 'K' && ((f[p + 2] == 3 && f[p + 3] == 4) || (f[p + 2] == 1 && f[p + 3] == 2) ||
                            (f[p + 2] == 5 && f[p + 3] == 6) || (f[p + 2] == 6 && f[p + 3] == 6)))
      return p;
  }
  return std::nullopt;
}

// Where libarchive's streaming reader ends a stored entry of unknown length: at the first
// "PK\7\8" whose CRC is that of the bytes before it and whose compressed size is their count
// (it checks both). The CRC is computed only up to each candidate.
std::optional<std::size_t> stored_entry_end(ByteView f, std::size_t data, bool zip64) {
  const std::size_t record = zip64 ? 24 : 16;
  std::uint32_t crc = 0;
  std::size_t crc_at = data;
  for (std::size_t p = data; p + record <= f.size(); ++p) {
    p = find_signature(f, p, f.size(), "PK\x07\x08");
    if (p == kSignatureNotFound || p + record > f.size()) return std::nullopt;
    crc = crc32_update(crc, f.subspan(crc_at, p - crc_at));
    crc_at = p;
    std::uint64_t size = zip64 ? le64(f, p + 8) : le32(f, p + 8);
    if (le32(f, p + 4) == crc && size == p - data) return p + record;
  }
  return std::nullopt;
}

// Where a deflate stream of unknown length ends (the stream says so itself); the output is
// discarded and bounded.
std::optional<std::size_t> deflated_entry_end(ByteView f, std::size_t data, std::uint64_t max_out) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return std::nullopt;
  std::uint8_t out[64 * 1024];
  std::size_t in_at = data;
  std::uint64_t produced = 0;
  std::optional<std::size_t> end;
  for (;;) {
    std::size_t chunk = std::min<std::size_t>(f.size() - in_at, 1u << 20);
    zs.next_in = const_cast<Bytef*>(f.data() + in_at);
    zs.avail_in = static_cast<uInt>(chunk);
    zs.next_out = out;
    zs.avail_out = sizeof out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    in_at += chunk - zs.avail_in;
    produced += sizeof out - zs.avail_out;
    if (rc == Z_STREAM_END) {
      end = in_at;
      break;
    }
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || produced > max_out || (chunk == 0 && zs.avail_out != 0)) break;
  }
  inflateEnd(&zs);
  return end;
}

bool has_zip64_extra(ByteView extra) {
  for (std::size_t p = 0; p + 4 <= extra.size();) {
    std::uint16_t id = le16(extra, p), n = le16(extra, p + 2);
    if (id == 0x0001) return true;
    p += 4 + n;
  }
  return false;
}

}  // namespace

std::string zip_stream_view_disagrees(ByteView f, const zip::Archive& archive, const Limits& limits) {
  if (f.size() < 4 || le32(f, 0) != kLocalHeader) return {};
  std::vector<std::uint64_t> directory;
  for (const auto& m : archive.members) directory.push_back(m.local_header_offset);
  std::sort(directory.begin(), directory.end());

  std::vector<std::uint64_t> streamed;
  std::size_t pos = 0;
  for (;;) {
    if (streamed.size() > directory.size() || streamed.size() > limits.max_archive_members) break;
    auto sig = next_signature(f, pos);
    if (!sig) return "the streaming reader runs off the end of the file after " + std::to_string(streamed.size()) + " entries";
    if (le32(f, *sig) != kLocalHeader) break;  // the central directory or an end record
    pos = *sig;
    if (f.size() - pos < 30) return "the streaming reader finds a truncated local header at " + std::to_string(pos);
    const std::uint16_t flags = le16(f, pos + 6), method = le16(f, pos + 8);
    std::uint64_t csize = le32(f, pos + 18);
    const std::size_t name_len = le16(f, pos + 26), extra_len = le16(f, pos + 28);
    if (f.size() - pos - 30 < name_len + extra_len)
      return "the streaming reader finds a truncated local header at " + std::to_string(pos);
    ByteView extra = f.subspan(pos + 30 + name_len, extra_len);
    const bool zip64 = has_zip64_extra(extra);
    if (zip64 && csize == 0xFFFFFFFF) {
      // The ZIP64 extra of a local header holds the uncompressed, then the compressed size.
      for (std::size_t p = 0; p + 4 <= extra.size(); p += 4 + le16(extra, p + 2))
        if (le16(extra, p) == 0x0001 && le16(extra, p + 2) >= 16 && p + 20 <= extra.size()) csize = le64(extra, p + 12);
    }
    const std::size_t data = pos + 30 + name_len + extra_len;
    streamed.push_back(pos);
    std::optional<std::size_t> end;
    const bool length_at_end = (flags & 0x0008) != 0;
    if (!length_at_end || csize > 0) {
      if (csize > f.size() - data) return "the streaming reader finds entry data running past the end at " + std::to_string(pos);
      end = data + csize;
      if (length_at_end && f.size() - *end >= 4 && le32(f, *end) == kDescriptor) *end += 4;
      if (length_at_end) *end = std::min<std::size_t>(f.size(), *end + (zip64 ? 20 : 12));
    } else if (method == 0) {
      end = stored_entry_end(f, data, zip64);
    } else if (method == 8) {
      end = deflated_entry_end(f, data, limits.max_member_unpacked);
      if (end && f.size() - *end >= 4 && le32(f, *end) == kDescriptor) *end += 4;
      if (end) *end = std::min<std::size_t>(f.size(), *end + (zip64 ? 20 : 12));
    }
    if (!end) return "the streaming reader cannot find the end of the entry at " + std::to_string(pos);
    pos = *end;
  }
  for (std::size_t i = 0; i < std::max(streamed.size(), directory.size()); ++i) {
    if (i >= streamed.size())
      return "the streaming reader lists " + std::to_string(streamed.size()) + " entries, the central directory " +
             std::to_string(directory.size());
    if (i >= directory.size() || streamed[i] != directory[i])
      return "the streaming reader finds an entry at " + std::to_string(streamed[i]) +
             (i < directory.size() ? ", the central directory's next member is at " + std::to_string(directory[i])
                                   : ", which the central directory does not list");
  }
  return {};
}

void report_zip_stream_view(const Artifact& a, const zip::Archive& archive, const Limits& limits,
                            ArtifactReport& report) {
  if (auto diff = zip_stream_view_disagrees(a.bytes, archive, limits); !diff.empty())
    report.add(make_finding(rule("MG-ZIP-STREAM-DIVERGENCE"), a.origin, std::nullopt, diff));
}

}  // namespace modelgate
