#include "readers/zip_reader.h"

#include "readers/member_path.h"

#include <zlib.h>

#include <algorithm>
#include <map>

#include "core/byte_reader.h"
#include "core/crc32.h"
#include "core/rule_catalog.h"
#include "core/signature_search.h"

namespace modelgate::zip {

namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kEocdSig = 0x06054b50;
constexpr std::uint32_t kZip64EocdSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kDescriptorSig = 0x08074b50;
constexpr std::size_t kLocalSize = 30, kCentralSize = 46, kEocdSize = 22, kLocatorSize = 20;
constexpr std::size_t kZip64EocdSize = 56;

std::uint32_t le32_at(ByteView v, std::size_t pos) {
  return static_cast<std::uint32_t>(v[pos]) | static_cast<std::uint32_t>(v[pos + 1]) << 8 |
         static_cast<std::uint32_t>(v[pos + 2]) << 16 | static_cast<std::uint32_t>(v[pos + 3]) << 24;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

// miniz's name comparison: ASCII case-insensitive, then shorter first.
int miniz_compare(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = lower(static_cast<unsigned char>(a[i])), y = lower(static_cast<unsigned char>(b[i]));
    if (x != y) return int(x) - int(y);
  }
  return int(a.size()) - int(b.size());
}

// miniz sorts its index array with an in-place heap sort (not stable); duplicates therefore land
// in an order that depends on the directory's layout. Reproduced here so that find_as_miniz
// returns the copy torch.load actually reads.
std::vector<std::size_t> miniz_sort(const std::vector<Member>& m) {
  std::vector<std::size_t> idx(m.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  const std::size_t size = idx.size();
  if (size <= 1) return idx;
  auto less = [&](std::size_t a, std::size_t b) { return miniz_compare(m[a].name, m[b].name) < 0; };
  auto sift = [&](std::size_t root, std::size_t end) {
    for (;;) {
      std::size_t child = root * 2 + 1;
      if (child >= end) break;
      if (child + 1 < end && less(idx[child], idx[child + 1])) ++child;
      if (!less(idx[root], idx[child])) break;
      std::swap(idx[root], idx[child]);
      root = child;
    }
  };
  for (std::size_t start = (size - 2) / 2 + 1; start-- > 0;) sift(start, size);
  for (std::size_t end = size - 1; end > 0; --end) {
    std::swap(idx[end], idx[0]);
    sift(0, end);
  }
  return idx;
}

bool unix_symlink(const Member& m) {
  unsigned host = m.made_by >> 8;
  if (host != 3 && host != 19) return false;  // Unix, OS X
  return ((m.external_attrs >> 16) & 0170000) == 0120000;
}

// Reasons a member name is dangerous for anything that extracts the archive.
struct Eocd {
  std::uint64_t offset = 0;
  std::uint16_t disk = 0, cd_disk = 0;
  std::uint64_t entries_disk = 0, entries = 0, cd_size = 0, cd_offset = 0;
  std::uint16_t comment_len = 0;
};

class Parser {
 public:
  Parser(ByteView file, std::string_view origin, const Limits& limits)
      : file_(file), origin_(origin), limits_(limits) {}

  Expected<Archive> run();

 private:
  void add(RuleId rule_id, std::optional<std::uint64_t> offset, std::string msg,
           std::string evidence = {}) {
    out_.findings.push_back(make_finding(rule(rule_id), std::string(origin_), offset, std::move(msg),
                                         std::move(evidence)));
  }
  std::vector<std::size_t> eocd_candidates() const;
  bool read_eocd(std::size_t pos, Eocd& e) const;
  std::optional<Error> read_zip64(Eocd& e);
  std::optional<Error> read_central(const Eocd& e);
  bool apply_zip64_extra(ByteView extra, Member& m, bool need_u, bool need_c, bool need_o);
  void read_local(Member& m);
  void check_layout(const std::vector<std::size_t>& eocds);
  void check_names();

  ByteView file_;
  std::string_view origin_;
  const Limits& limits_;
  Archive out_;
};

// Every end-record signature in the region both readers search: the last 64 KiB + 22 bytes.
// miniz scans backwards from the end and takes the first signature it meets; zipfile first tries
// "no comment" at size-22 and otherwise takes the last signature in that region (rfind). Both
// therefore pick the signature at the highest offset; neither checks that the comment reaches the
// end of the file, so bytes after the comment are silently ignored by both.
std::vector<std::size_t> Parser::eocd_candidates() const {
  std::vector<std::size_t> found;
  if (file_.size() < kEocdSize) return found;
  const std::size_t last = file_.size() - kEocdSize;
  for (std::size_t p = last > 0xFFFF ? last - 0xFFFF : 0; p <= last; ++p) {
    p = find_signature(file_, p, last + 1, "PK\x05\x06");
    if (p == kSignatureNotFound) break;
    found.push_back(p);
  }
  std::reverse(found.begin(), found.end());
  return found;  // highest offset first
}

bool Parser::read_eocd(std::size_t pos, Eocd& e) const {
  ByteReader r(file_, pos + 4);
  std::uint16_t d, cd, ed, et;
  std::uint32_t size, off;
  if (!(r.le(d) && r.le(cd) && r.le(ed) && r.le(et) && r.le(size) && r.le(off) && r.le(e.comment_len)))
    return false;
  e.offset = pos;
  e.disk = d;
  e.cd_disk = cd;
  e.entries_disk = ed;
  e.entries = et;
  e.cd_size = size;
  e.cd_offset = off;
  return true;
}

std::optional<Error> Parser::read_zip64(Eocd& e) {
  bool needs = e.entries == 0xFFFF || e.entries_disk == 0xFFFF || e.cd_size == 0xFFFFFFFF ||
               e.cd_offset == 0xFFFFFFFF;
  if (e.offset < kLocatorSize || le32_at(file_, e.offset - kLocatorSize) != kZip64LocatorSig) {
    if (needs) return parse_error(e.offset, "end record needs ZIP64 values but has no ZIP64 locator");
    return std::nullopt;
  }
  ByteReader r(file_, e.offset - kLocatorSize + 4);
  std::uint32_t disk, disks;
  std::uint64_t rec;
  if (!(r.le(disk) && r.le(rec) && r.le(disks)))
    return parse_error(e.offset - kLocatorSize, "truncated ZIP64 locator");
  if (rec > file_.size() || file_.size() - rec < kZip64EocdSize || le32_at(file_, rec) != kZip64EocdSig)
    return parse_error(e.offset - kLocatorSize, "ZIP64 locator points to " + hex(rec) +
                                                    ", where there is no ZIP64 end record");
  ByteReader z(file_, rec + 4);
  std::uint64_t recsize, entries_disk, entries, cd_size, cd_offset;
  std::uint16_t made, need;
  std::uint32_t d, cd;
  if (!(z.le(recsize) && z.le(made) && z.le(need) && z.le(d) && z.le(cd) && z.le(entries_disk) &&
        z.le(entries) && z.le(cd_size) && z.le(cd_offset)))
    return parse_error(rec, "truncated ZIP64 end record");
  out_.zip64 = true;
  add("MG-ZIP-ZIP64", rec, "the archive uses ZIP64 end records");
  if (d != 0 || cd != 0 || disks > 1) return parse_error(rec, "multi-disk archives are not supported");
  if (e.entries != 0xFFFF && e.entries != entries)
    add("MG-ZIP-HEADER-MISMATCH", rec, "ZIP64 and classic end records disagree on the entry count");
  // miniz and zipfile take the ZIP64 values whenever the locator is there; APPNOTE (4.4.1.4) and
  // readers that follow it take a classic field unless it holds its all-ones marker. A classic
  // directory offset or size that differs (e.g. one pointing past the end of the file) is
  // therefore read two ways.
  if ((e.cd_offset != 0xFFFFFFFF && e.cd_offset != cd_offset) || (e.cd_size != 0xFFFFFFFF && e.cd_size != cd_size) ||
      (e.entries_disk != 0xFFFF && e.entries_disk != entries_disk))
    add("MG-ZIP-HEADER-MISMATCH", rec,
        "the classic end record says the central directory is " + std::to_string(e.cd_size) + " bytes at " +
            hex(e.cd_offset) + ", the ZIP64 end record " + std::to_string(cd_size) + " bytes at " + hex(cd_offset) +
            ": torch and zipfile read the ZIP64 values, readers that honour ZIP64 only for all-ones fields the "
            "classic ones");
  e.entries = entries;
  e.entries_disk = entries_disk;
  e.cd_size = cd_size;
  e.cd_offset = cd_offset;
  return std::nullopt;
}

bool Parser::apply_zip64_extra(ByteView extra, Member& m, bool need_u, bool need_c, bool need_o) {
  ByteReader r(extra);
  while (r.remaining() >= 4) {
    std::uint16_t id, len;
    ByteView body;
    if (!(r.le(id) && r.le(len) && r.bytes(len, body))) return false;
    if (id != 0x0001) continue;
    ByteReader b(body);
    // Fields appear only for the header values that are 0xFFFFFFFF, in this order.
    if (need_u && !b.le(m.uncompressed_size)) return false;
    if (need_c && !b.le(m.compressed_size)) return false;
    if (need_o && !b.le(m.local_header_offset)) return false;
    m.zip64 = true;
    return true;
  }
  return !(need_u || need_c || need_o);
}

std::optional<Error> Parser::read_central(const Eocd& e) {
  if (e.cd_offset > file_.size() || e.cd_size > file_.size() - e.cd_offset)
    return parse_error(e.offset, "central directory (" + hex(e.cd_offset) + ", " +
                                     std::to_string(e.cd_size) + " bytes) lies outside the file");
  if (e.entries > limits_.max_archive_members)
    return parse_error(e.offset, "the archive declares " + std::to_string(e.entries) +
                                     " members, more than the limit of " +
                                     std::to_string(limits_.max_archive_members));
  // Each central header is at least 46 bytes: an entry count the directory cannot hold is a lie.
  if (e.entries > e.cd_size / kCentralSize)
    return parse_error(e.offset, "the end record declares more entries than the central directory can hold");
  out_.cd_offset = e.cd_offset;
  out_.cd_size = e.cd_size;
  ByteView cd = file_.subspan(e.cd_offset, e.cd_size);
  ByteReader r(cd);
  for (std::uint64_t i = 0; i < e.entries; ++i) {
    std::size_t at = e.cd_offset + r.offset();
    std::uint32_t sig, crc, csize, usize, ext, loff;
    std::uint16_t made, need, flags, method, time, date, nlen, xlen, clen, disk, iattr;
    if (!(r.le(sig) && r.le(made) && r.le(need) && r.le(flags) && r.le(method) && r.le(time) &&
          r.le(date) && r.le(crc) && r.le(csize) && r.le(usize) && r.le(nlen) && r.le(xlen) &&
          r.le(clen) && r.le(disk) && r.le(iattr) && r.le(ext) && r.le(loff)))
      return parse_error(at, "central directory entry " + std::to_string(i) + " is truncated");
    if (sig != kCentralSig)
      return parse_error(at, "central directory entry " + std::to_string(i) + " has a bad signature");
    ByteView name, extra, comment;
    if (!(r.bytes(nlen, name) && r.bytes(xlen, extra) && r.bytes(clen, comment)))
      return parse_error(at, "central directory entry " + std::to_string(i) + " is truncated");
    Member m;
    m.index = i;
    m.name.assign(as_chars(name));
    m.made_by = made;
    m.flags = flags;
    m.method = method;
    m.crc32 = crc;
    m.compressed_size = csize;
    m.uncompressed_size = usize;
    m.external_attrs = ext;
    m.local_header_offset = loff;
    if (!apply_zip64_extra(extra, m, usize == 0xFFFFFFFF, csize == 0xFFFFFFFF, loff == 0xFFFFFFFF))
      return parse_error(at, "member '" + m.name + "' has a malformed ZIP64 extra field");
    if (disk != 0 && disk != 0xFFFF)
      return parse_error(at, "member '" + m.name + "' starts on another disk");
    out_.members.push_back(std::move(m));
  }
  if (r.remaining() != 0)
    add("MG-ZIP-HEADER-MISMATCH", e.cd_offset + r.offset(),
        std::to_string(r.remaining()) + " bytes of the central directory are not covered by its entries");
  return std::nullopt;
}

void Parser::read_local(Member& m) {
  auto loc = [&](const std::string& why) {
    add("MG-ZIP-OUT-OF-BOUNDS", m.local_header_offset, "member '" + m.name + "': " + why);
    m.data_offset = m.data_end = 0;
  };
  std::uint64_t lh = m.local_header_offset;
  if (lh > file_.size() || file_.size() - lh < kLocalSize) return loc("local header lies outside the file");
  if (le32_at(file_, lh) != kLocalSig) return loc("no local header at " + hex(lh));
  ByteReader r(file_, lh + 4);
  std::uint16_t need = 0, flags = 0, method = 0, time = 0, date = 0, nlen = 0, xlen = 0;
  std::uint32_t crc = 0, csize = 0, usize = 0;
  (void)(r.le(need) && r.le(flags) && r.le(method) && r.le(time) && r.le(date) && r.le(crc) &&
         r.le(csize) && r.le(usize) && r.le(nlen) && r.le(xlen));
  ByteView name, extra;
  if (!(r.bytes(nlen, name) && r.bytes(xlen, extra))) return loc("local header is truncated");
  m.local_name.assign(as_chars(name));
  m.local_flags = flags;
  m.data_offset = r.offset();
  if (m.compressed_size > file_.size() - m.data_offset)
    return loc("data (" + std::to_string(m.compressed_size) + " bytes at " + hex(m.data_offset) +
               ") runs past the end of the file");
  m.data_end = m.data_offset + m.compressed_size;

  if (m.local_name != m.name)
    add("MG-ZIP-NAME-MISMATCH", lh,
        "local header names the member '" + m.local_name + "' but the central directory says '" +
            m.name + "'; torch (miniz) uses the central name, Python's zipfile refuses the file");
  if (method != m.method || (flags & ~0x0008u) != (m.flags & ~0x0008u))
    add("MG-ZIP-HEADER-MISMATCH", lh,
        "member '" + m.name + "': local and central headers disagree on method or flags (local " +
            std::to_string(method) + "/" + hex(flags) + ", central " + std::to_string(m.method) +
            "/" + hex(m.flags) + ")");
  if (flags & 0x0008) {
    add("MG-ZIP-DATA-DESCRIPTOR", lh, "member '" + m.name + "' stores its sizes and CRC after the data");
    // The descriptor: optional signature, CRC, then 4- or 8-byte sizes.
    std::uint64_t p = m.data_end;
    std::size_t body = m.zip64 ? 20 : 12;
    if (p + 4 <= file_.size() && le32_at(file_, p) == kDescriptorSig) p += 4;
    if (p + body > file_.size()) return loc("data descriptor lies outside the file");
    ByteReader d(file_, p);
    std::uint32_t dcrc = 0;
    std::uint64_t dc = 0, du = 0;
    std::uint32_t c32 = 0, u32 = 0;
    d.le(dcrc);
    if (m.zip64) {
      d.le(dc);
      d.le(du);
    } else {
      d.le(c32);
      d.le(u32);
      dc = c32;
      du = u32;
    }
    if (dcrc != m.crc32 || dc != m.compressed_size || du != m.uncompressed_size)
      add("MG-ZIP-HEADER-MISMATCH", p, "member '" + m.name + "': data descriptor disagrees with the central directory");
    m.data_end = p + body;
  } else if (!m.zip64 && (crc != m.crc32 || csize != m.compressed_size || usize != m.uncompressed_size)) {
    add("MG-ZIP-HEADER-MISMATCH", lh,
        "member '" + m.name + "': local and central headers disagree on CRC or sizes");
  }
}

void Parser::check_names() {
  std::map<std::string, std::vector<std::size_t>> exact;
  std::map<std::string, std::vector<std::size_t>> folded;
  for (const auto& m : out_.members) {
    exact[m.name].push_back(m.index);
    std::string f = m.name;
    for (auto& c : f) c = static_cast<char>(lower(static_cast<unsigned char>(c)));
    folded[f].push_back(m.index);
    if (auto why = unsafe_member_path(m.name); !why.empty())
      add("MG-ZIP-UNSAFE-PATH", m.local_header_offset, "member name " + why, m.name);
    if (unix_symlink(m))
      add("MG-ZIP-SYMLINK", m.local_header_offset, "member '" + m.name + "' is a symbolic link");
    if (m.flags & 0x0001)
      add("MG-ZIP-ENCRYPTED", m.local_header_offset, "member '" + m.name + "' is encrypted");
    if (m.flags & 0x0040)
      add("MG-ZIP-ENCRYPTED", m.local_header_offset, "member '" + m.name + "' uses strong encryption");
    if (m.flags & 0x2000)
      add("MG-ZIP-ENCRYPTED", m.local_header_offset, "member '" + m.name + "': the local header is masked (central directory encryption)");
    if (m.flags & 0x0020)
      add("MG-ZIP-FLAGS", m.local_header_offset,
          "member '" + m.name + "' sets flag bit 5 (compressed patched data): zipfile refuses it, miniz ignores it");
    if (m.flags & 0xD790 & ~0x0000)  // reserved and vendor bits (4, 7-10, 12, 14, 15)
      add("MG-ZIP-FLAGS", m.local_header_offset, "member '" + m.name + "' sets reserved flag bits " + hex(m.flags & 0xD790));
    if (m.method != 0 && m.method != 8)
      add("MG-ZIP-METHOD", m.local_header_offset,
          "member '" + m.name + "' uses compression method " + std::to_string(m.method) +
              " (torch reads only stored and deflate)");
    else if (m.method == 0 && m.compressed_size != m.uncompressed_size)
      add("MG-ZIP-HEADER-MISMATCH", m.local_header_offset,
          "stored member '" + m.name + "' has different compressed and uncompressed sizes");
    if (m.compressed_size > 0 && m.uncompressed_size / m.compressed_size >= limits_.max_compression_ratio)
      add("MG-ZIP-BOMB", m.local_header_offset,
          "member '" + m.name + "' declares " + std::to_string(m.uncompressed_size) + " bytes from " +
              std::to_string(m.compressed_size) + " (ratio above " + std::to_string(limits_.max_compression_ratio) + ")");
    if (m.compressed_size == 0 && m.uncompressed_size > 0)
      add("MG-ZIP-BOMB", m.local_header_offset, "member '" + m.name + "' declares content from no data");
  }
  for (const auto& [name, idx] : exact) {
    if (idx.size() < 2) continue;
    const Member* t = out_.find_as_miniz(name);
    const Member* z = out_.find_as_zipfile(name);
    add("MG-ZIP-DUPLICATE-NAME", out_.members[idx[0]].local_header_offset,
        std::to_string(idx.size()) + " members are named '" + name + "'; torch (miniz) reads entry #" +
            std::to_string(t ? t->index : 0) + ", Python's zipfile reads entry #" +
            std::to_string(z ? z->index : 0),
        name);
  }
  for (const auto& [name, idx] : folded) {
    if (idx.size() < 2 || exact[out_.members[idx[0]].name].size() == idx.size()) continue;
    add("MG-ZIP-DUPLICATE-NAME", out_.members[idx[0]].local_header_offset,
        "names that differ only in letter case ('" + out_.members[idx[0]].name + "', '" +
            out_.members[idx[1]].name + "'): miniz looks names up case-insensitively, so torch may "
            "read a different member than the one with the exact name",
        name);
  }
}

void Parser::check_layout(const std::vector<std::size_t>& eocds) {
  struct Range {
    std::uint64_t begin, end;
    const Member* m;
  };
  std::vector<Range> ranges;
  for (const auto& m : out_.members)
    if (m.data_end != 0) ranges.push_back({m.local_header_offset, m.data_end, &m});
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  std::uint64_t cursor = ranges.empty() ? out_.cd_offset : ranges.front().begin;
  out_.prepended = cursor;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const Range& r = ranges[i];
    if (r.begin < cursor && i > 0)
      add("MG-ZIP-OVERLAP", r.begin, "member '" + r.m->name + "' overlaps member '" +
                                         ranges[i - 1].m->name + "' (shared bytes are read twice)");
    else if (r.begin > cursor)
      add("MG-ZIP-UNREFERENCED-DATA", cursor,
          std::to_string(r.begin - cursor) + " bytes between members belong to no member");
    if (r.end > out_.cd_offset && r.begin < out_.cd_offset + out_.cd_size)
      add("MG-ZIP-OVERLAP", r.begin, "member '" + r.m->name + "' overlaps the central directory");
    cursor = std::max(cursor, r.end);
  }
  if (!ranges.empty() && cursor < out_.cd_offset)
    add("MG-ZIP-UNREFERENCED-DATA", cursor,
        std::to_string(out_.cd_offset - cursor) + " bytes between the last member and the central directory belong to no member");
  if (out_.prepended > 0)
    add("MG-ZIP-PREPENDED-DATA", 0,
        std::to_string(out_.prepended) + " bytes precede the first member (a different format may "
        "claim this file, e.g. a pickle that torch.load would read as legacy)");
  for (std::size_t p : eocds) {
    if (p == out_.eocd_offset) continue;
    bool inside_member = std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) {
      return p >= r.begin && p < r.end;
    });
    if (!inside_member)
      add("MG-ZIP-MULTIPLE-EOCD", p,
          "another end-of-central-directory record at " + hex(p) + "; readers that pick a different "
          "one see a different archive");
  }
}

Expected<Archive> Parser::run() {
  auto cands = eocd_candidates();
  if (cands.empty()) return parse_error(file_.size(), "no end-of-central-directory record");
  Eocd e;
  if (!read_eocd(cands.front(), e)) return parse_error(cands.front(), "truncated end record");
  out_.eocd_offset = e.offset;
  if (e.disk != 0 || e.cd_disk != 0 || e.entries_disk != e.entries)
    return parse_error(e.offset, "multi-disk archives are not supported");
  std::uint64_t comment_end = e.offset + kEocdSize + e.comment_len;
  if (comment_end > file_.size())
    return parse_error(e.offset, "the archive comment runs past the end of the file");
  if (comment_end < file_.size())
    add("MG-ZIP-TRAILING-DATA", comment_end,
        std::to_string(file_.size() - comment_end) + " bytes follow the end record; every ZIP reader ignores them");
  if (auto err = read_zip64(e)) return *err;

  // zipfile tolerates data prepended to an archive whose offsets were not adjusted: it shifts
  // every offset by (end record position - directory size - directory offset). miniz does not.
  std::uint64_t cd_end_expected = e.cd_offset + e.cd_size;
  std::uint64_t cd_locator_start = out_.zip64 ? e.offset - kLocatorSize : e.offset;
  if (out_.zip64) {
    // The ZIP64 end record sits between the directory and the locator.
    ByteReader r(file_, e.offset - kLocatorSize + 8);
    std::uint64_t rec = 0;
    r.le(rec);
    cd_locator_start = rec;
  }
  if (cd_end_expected < cd_locator_start) {
    out_.zipfile_shift = cd_locator_start - cd_end_expected;
    add("MG-ZIP-LOADER-DIVERGENCE", e.offset,
        std::to_string(out_.zipfile_shift) + " bytes separate the central directory's stated end "
        "from the end record: Python's zipfile shifts every offset by that amount, miniz (torch) "
        "does not, so the two read different bytes");
  } else if (cd_end_expected > cd_locator_start) {
    return parse_error(e.offset, "central directory overlaps the end record");
  }

  if (auto err = read_central(e)) {
    if (out_.zipfile_shift == 0) return *err;
    // miniz cannot read this archive at all; zipfile can. Read it as zipfile does.
    out_.members.clear();
    e.cd_offset += out_.zipfile_shift;
    if (auto err2 = read_central(e)) return *err2;
    for (auto& m : out_.members) m.local_header_offset += out_.zipfile_shift;
  }
  out_.miniz_sorted = miniz_sort(out_.members);
  for (auto& m : out_.members) read_local(m);
  check_names();
  check_layout(cands);
  return std::move(out_);
}

}  // namespace

bool Member::is_symlink() const { return unix_symlink(*this); }

const Member* Archive::find_as_miniz(std::string_view name) const {
  if (miniz_sorted.empty()) return nullptr;
  std::size_t lo = 0, hi = miniz_sorted.size() - 1;
  while (lo <= hi) {
    std::size_t mid = lo + ((hi - lo) >> 1);
    const Member& m = members[miniz_sorted[mid]];
    int c = miniz_compare(m.name, name);
    if (c == 0) return &m;
    if (c < 0) {
      lo = mid + 1;
    } else {
      if (mid == 0) break;
      hi = mid - 1;
    }
  }
  return nullptr;
}

const Member* Archive::find_as_zipfile(std::string_view name) const {
  for (auto it = members.rbegin(); it != members.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

bool looks_like_zip(ByteView b) {
  if (b.size() < 4 || b[0] != 'P' || b[1] != 'K') return false;
  std::uint32_t sig = le32_at(b, 0);
  return sig == kLocalSig || (sig == kEocdSig && b.size() >= kEocdSize);
}

Expected<Archive> read_zip(ByteView file, std::string_view origin, const Limits& limits) {
  return Parser(file, origin, limits).run();
}

namespace {

// How far inflate_raw went when nothing failed: the stream ended within `cap` bytes, or it did not
// (more than `cap` bytes, or the input ended first).
enum class Inflated { to_stream_end, cut_short };

// Inflates raw deflate data through a 64 KiB window, handing each piece to `sink`, and stops after
// `cap` + 1 bytes (one more than wanted tells "exactly cap" from "more"). Nothing is allocated by
// `cap`: the sink stores what actually arrives. An error for corrupt data or when the sink refuses
// a piece.
template <class Sink>
Expected<Inflated> inflate_raw(ByteView in, std::uint64_t cap, Sink&& sink) {
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return parse_error(0, "zlib initialisation failed");
  std::uint8_t window[64 * 1024];
  std::size_t consumed = 0;
  std::uint64_t produced = 0;
  Expected<Inflated> result = Inflated::cut_short;
  for (;;) {
    std::size_t chunk_in = std::min<std::size_t>(in.size() - consumed, 1u << 30);
    zs.next_in = const_cast<Bytef*>(in.data() + consumed);
    zs.avail_in = static_cast<uInt>(chunk_in);
    std::uint64_t wanted = std::min<std::uint64_t>(sizeof window, cap - produced + 1);
    zs.next_out = window;
    zs.avail_out = static_cast<uInt>(wanted);
    int rc = inflate(&zs, Z_NO_FLUSH);
    consumed += chunk_in - zs.avail_in;
    std::size_t got = static_cast<std::size_t>(wanted - zs.avail_out);
    produced += got;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      result = parse_error(consumed, zs.msg ? zs.msg : "invalid deflate data");
      break;
    }
    if (produced > cap) {  // more than wanted: hand over only `cap` bytes
      if (got > 1 && !sink(window, got - 1)) result = parse_error(consumed, "the output refused a piece");
      break;
    }
    if (got > 0 && !sink(window, got)) {
      result = parse_error(consumed, "the output refused a piece");
      break;
    }
    if (rc == Z_STREAM_END) {
      result = Inflated::to_stream_end;
      break;
    }
    if (rc == Z_BUF_ERROR && consumed == in.size()) break;  // input exhausted: truncated
  }
  inflateEnd(&zs);
  return result;
}

}  // namespace

Expected<MemberBytes> open_member(ByteView file, const Member& m, std::string_view origin,
                                  const Limits& limits, const std::shared_ptr<UnpackBudget>& budget,
                                  std::vector<Finding>& findings) {
  auto fail = [&](RuleId rule_id, std::string msg) -> Error {
    findings.push_back(make_finding(rule(rule_id), std::string(origin), m.local_header_offset,
                                    "member '" + m.name + "': " + msg));
    return parse_error(rule_id, m.local_header_offset, msg);
  };
  if (m.data_end == 0 && m.compressed_size != 0) return fail("MG-ZIP-OUT-OF-BOUNDS", "data is not in the file");
  if (m.encrypted()) return fail("MG-ZIP-ENCRYPTED", "encrypted content cannot be inspected");
  ByteView raw = file.subspan(m.data_offset, m.compressed_size);
  MemberBytes out;
  if (m.method == 0) {
    out.bytes = raw;
  } else if (m.method == 8) {
    if (m.uncompressed_size > limits.max_member_unpacked)
      return fail("MG-LIMIT-EXCEEDED", "declared size " + std::to_string(m.uncompressed_size) +
                                           " is over the limit max_member_unpacked");
    if (m.uncompressed_size > budget->remaining())
      return fail("MG-LIMIT-EXCEEDED", "declared size " + std::to_string(m.uncompressed_size) +
                                           " is over what the limit max_total_unpacked leaves for this artifact");
    if (m.compressed_size > 0 && m.uncompressed_size / m.compressed_size >= limits.max_compression_ratio)
      return fail("MG-ZIP-BOMB", "compression ratio above the limit; not inflated");
    auto buf = std::make_shared<UnpackedBuffer>(budget, "max_member_unpacked", limits.max_member_unpacked);
    buf->reserve(m.uncompressed_size);  // bounded above by the limits, the budget and the ratio
    auto sink = [&](const std::uint8_t* p, std::size_t n) { return buf->append(p, n); };
    auto inflated = inflate_raw(raw, m.uncompressed_size, sink);
    if (!inflated) {
      if (buf->exceeded())
        return fail("MG-LIMIT-EXCEEDED", "inflating it goes " + buf->exceeded_reason() + "; not analysed");
      return fail("MG-ZIP-CORRUPT", "deflate data is corrupt: " + inflated.error().reason);
    }
    if (*inflated != Inflated::to_stream_end || buf->size() != m.uncompressed_size)
      return fail("MG-ZIP-CORRUPT", "deflate data does not produce exactly the declared " +
                                        std::to_string(m.uncompressed_size) + " bytes");
    out.bytes = buf->bytes();
    out.owner = std::move(buf);
  } else {
    return fail("MG-ZIP-METHOD", "compression method " + std::to_string(m.method) + " is not supported");
  }
  const std::uint32_t crc = crc32_update(0, out.bytes);
  if (crc != m.crc32)
    findings.push_back(make_finding(
        rule("MG-ZIP-CRC-MISMATCH"), std::string(origin), m.local_header_offset,
        "member '" + m.name + "': CRC-32 is " + hex(crc) + ", the directory says " + hex(m.crc32) +
            "; torch does not check CRCs and loads it, Python's zipfile raises BadZipFile"));
  return out;
}

std::vector<std::uint8_t> peek_member(ByteView file, const Member& m, std::size_t n) {
  std::vector<std::uint8_t> out;
  if (m.data_end == 0 || m.encrypted()) return out;
  ByteView raw = file.subspan(m.data_offset, m.compressed_size);
  if (m.method == 0) {
    out.assign(raw.begin(), raw.begin() + std::min<std::size_t>(n, raw.size()));
  } else if (m.method == 8) {
    auto sink = [&](const std::uint8_t* p, std::size_t k) {
      out.insert(out.end(), p, p + k);
      return true;
    };
    (void)inflate_raw(raw, std::min<std::uint64_t>(n, m.uncompressed_size), sink);
  }
  return out;
}

}  // namespace modelgate::zip
