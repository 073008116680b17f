#include "readers/tar_headers.h"

#include <algorithm>
#include <map>

namespace modelgate::tar {

namespace {

constexpr std::uint64_t kBlock = 512;

std::uint64_t round_up(std::uint64_t n) { return n % kBlock ? n + (kBlock - n % kBlock) : n; }

// tarfile's nts(): the bytes up to the first NUL.
std::string nts(ByteView b) {
  auto end = std::find(b.begin(), b.end(), std::uint8_t{0});
  return std::string(b.begin(), end);
}

bool py_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

// Python's int(text, base) for base 8 or 10: surrounding whitespace, a sign, a "0o" prefix (base 8)
// and single underscores between digits are all accepted. `unusual` flags those forms, which other
// tar readers reject or read differently.
struct PyInt {
  bool ok = false;
  bool unusual = false;
  bool negative = false;
  std::uint64_t value = 0;  // saturates: values above 2^62 are reported as too large by callers
};

PyInt python_int(std::string_view s, int base) {
  PyInt r;
  std::size_t a = 0, b = s.size();
  while (a < b && py_space(s[a])) ++a;
  while (b > a && py_space(s[b - 1])) --b;
  s = s.substr(a, b - a);
  if (s.empty()) return r;
  if (s[0] == '+' || s[0] == '-') {
    r.negative = s[0] == '-';
    r.unusual = true;
    s.remove_prefix(1);
  }
  bool after_prefix = false;
  if (base == 8 && s.size() >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    r.unusual = after_prefix = true;
    s.remove_prefix(2);
  }
  bool need_digit = true;
  bool any = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      if (need_digit && !(after_prefix && i == 0)) return r;
      r.unusual = true;
      need_digit = true;
      continue;
    }
    int d = c >= '0' && c <= '9' ? c - '0' : 99;
    if (d >= base) return r;
    r.value = r.value > (1ull << 62) ? r.value : r.value * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    need_digit = false;
    any = true;
  }
  r.ok = any && !need_digit;
  return r;
}

// tarfile's nti(): base-256 when the first byte is 0x80 or 0xff, else octal text.
struct Number {
  bool ok = false;
  bool unusual = false;
  bool negative = false;
  std::uint64_t value = 0;
};

Number nti(ByteView f) {
  Number n;
  if (f[0] == 0x80 || f[0] == 0xff) {
    n.ok = true;
    n.unusual = true;
    n.negative = f[0] == 0xff;
    for (std::size_t i = 1; i < f.size(); ++i) {
      if (n.value > (1ull << 54)) n.value = 1ull << 62;  // saturate
      else n.value = (n.value << 8) | f[i];
    }
    return n;
  }
  std::string text = nts(f);
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return n;  // ascii strict
  std::size_t a = 0;
  while (a < text.size() && py_space(text[a])) ++a;
  if (a == text.size()) {  // int("0", 8)
    n.ok = true;
    return n;
  }
  auto p = python_int(text, 8);
  n.ok = p.ok;
  n.unusual = p.unusual;
  n.negative = p.negative && p.value != 0;
  n.value = p.value;
  return n;
}

struct Header {
  std::string name;  // ustar name with prefix applied, directories without trailing '/'
  std::string linkname;
  char type = '0';
  std::uint64_t size = 0;
  bool unusual_number = false;
};

enum class HeaderKind { ok, empty, truncated, zeros, invalid };

struct HeaderRead {
  HeaderKind kind = HeaderKind::invalid;
  std::string reason;
  Header h;
};

HeaderRead read_block(ByteView bytes, std::uint64_t pos) {
  HeaderRead r;
  if (pos >= bytes.size()) {
    r.kind = HeaderKind::empty;
    return r;
  }
  if (bytes.size() - pos < kBlock) {
    r.kind = HeaderKind::truncated;
    r.reason = "truncated header";
    return r;
  }
  ByteView b = bytes.subspan(pos, kBlock);
  if (std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c == 0; })) {
    r.kind = HeaderKind::zeros;
    return r;
  }
  Number chk = nti(b.subspan(148, 8));
  if (!chk.ok) {
    r.reason = "invalid checksum field";
    return r;
  }
  std::int64_t unsigned_sum = 256, signed_sum = 256;
  for (std::size_t i = 0; i < kBlock; ++i) {
    if (i >= 148 && i < 156) continue;
    unsigned_sum += b[i];
    signed_sum += static_cast<std::int8_t>(b[i]);
  }
  std::int64_t want = chk.negative ? -static_cast<std::int64_t>(std::min<std::uint64_t>(chk.value, 1ull << 62))
                                   : static_cast<std::int64_t>(std::min<std::uint64_t>(chk.value, 1ull << 62));
  if (want != unsigned_sum && want != signed_sum) {
    r.reason = "bad checksum";
    return r;
  }
  // Every numeric field goes through nti(); any that fails makes the header invalid.
  static constexpr std::pair<std::size_t, std::size_t> fields[] = {
      {100, 8}, {108, 8}, {116, 8}, {124, 12}, {136, 12}, {329, 8}, {337, 8}};
  Number size;
  for (auto [off, len] : fields) {
    Number n = nti(b.subspan(off, len));
    if (!n.ok) {
      r.reason = "invalid numeric field at header byte " + std::to_string(off);
      return r;
    }
    r.h.unusual_number |= n.unusual && !(off == 124 && n.value > 0 && !n.negative && b[off] == 0x80);
    if (off == 124) size = n;
  }
  r.h.unusual_number |= chk.unusual;
  if (size.negative) {
    r.reason = "negative member size";
    return r;
  }
  if (size.value > (1ull << 62)) {
    r.reason = "member size too large";
    return r;
  }
  r.h.size = size.value;
  r.h.type = static_cast<char>(b[156]);
  r.h.name = nts(b.subspan(0, 100));
  r.h.linkname = nts(b.subspan(157, 100));
  std::string prefix = nts(b.subspan(345, 155));
  if (r.h.type == '\0' && !r.h.name.empty() && r.h.name.back() == '/') r.h.type = '5';
  if (r.h.type == '5')
    while (!r.h.name.empty() && r.h.name.back() == '/') r.h.name.pop_back();
  bool gnu_type = r.h.type == 'L' || r.h.type == 'K' || r.h.type == 'S';
  if (!prefix.empty() && !gnu_type) r.h.name = prefix + "/" + r.h.name;
  r.kind = HeaderKind::ok;
  return r;
}

using PaxMap = std::map<std::string, std::string>;

// tarfile's _proc_pax record loop: "<len> <keyword>=<value>\n" until the end or a NUL byte.
bool parse_pax_records(ByteView buf, PaxMap& into) {
  std::size_t pos = 0;
  while (pos < buf.size() && buf[pos] != 0) {
    std::size_t d = pos;
    while (d < buf.size() && d - pos < 20 && buf[d] >= '0' && buf[d] <= '9') ++d;
    if (d == pos || d >= buf.size() || buf[d] != ' ') return false;
    std::uint64_t length = 0;
    for (std::size_t i = pos; i < d; ++i) length = length * 10 + (buf[i] - '0');
    if (length < 5 || length > buf.size() - pos) return false;
    std::size_t last = pos + length - 1;
    if (buf[last] != '\n' || d + 1 > last) return false;
    std::string_view kv(reinterpret_cast<const char*>(buf.data()) + d + 1, last - (d + 1));
    auto eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    into[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    pos += length;
  }
  return true;
}

struct Walker {
  ByteView bytes;
  Listing& out;
  const Limits& limits;
  PaxMap global_pax;

  void note(std::uint64_t off, std::string what) { out.notes.push_back({off, std::move(what)}); }

  // Python int() for a PAX number; tarfile turns a ValueError into 0.
  std::uint64_t pax_number(const std::string& v, std::uint64_t off) {
    auto p = python_int(v, 10);
    if (!p.ok || p.negative) {
      note(off, "PAX size '" + v.substr(0, 40) + "' is not a number tarfile accepts; it uses 0");
      return 0;
    }
    if (p.unusual) note(off, "PAX size '" + v.substr(0, 40) + "' is in a form only Python accepts");
    return p.value;
  }

  void apply_pax(Member& m, std::uint64_t& data_end, const PaxMap& pax, bool recompute_end, std::uint64_t off) {
    if (pax.count("GNU.sparse.name") || pax.count("GNU.sparse.size") || pax.count("GNU.sparse.realsize") ||
        pax.count("GNU.sparse.map") || pax.count("GNU.sparse.major")) {
      out.unsupported = true;
      note(off, "sparse member (GNU sparse PAX records)");
    }
    if (auto it = pax.find("path"); it != pax.end()) {
      std::string v = it->second;
      while (!v.empty() && v.back() == '/') v.pop_back();
      m.name = v;
      m.extended = true;
    }
    if (auto it = pax.find("linkpath"); it != pax.end()) {
      m.linkname = it->second;
      m.extended = true;
    }
    if (auto it = pax.find("size"); it != pax.end()) {
      m.size = pax_number(it->second, off);
      m.extended = true;
      if (m.size > (1ull << 62)) {
        out.unsupported = true;
        note(off, "PAX size too large");
        m.size = 0;
      }
      if (recompute_end) data_end = m.data_offset + (m.python_reads_as_file() ? round_up(m.size) : 0);
    }
  }

  enum class Step { member, stop, error };

  // tarfile's fromtarfile() + _proc_member() for the header at `pos`; `chained` when it follows an
  // extended header (a failure there is a SubsequentHeaderError, which tarfile raises).
  Step member_at(std::uint64_t pos, int chained, Member& m, std::uint64_t& data_end) {
    HeaderRead hr = read_block(bytes, pos);
    if (hr.kind != HeaderKind::ok) {
      const char* what = hr.kind == HeaderKind::empty ? "end of file" :
                         hr.kind == HeaderKind::zeros ? "zero block" : nullptr;
      std::string reason = what ? what : hr.reason;
      if (chained || pos == 0) {
        out.error = parse_error(pos, (chained ? "the header after an extended header: " : "first header: ") + reason +
                                         " (tarfile raises ReadError)");
        return Step::error;
      }
      out.end_offset = pos;
      out.clean_end = hr.kind == HeaderKind::zeros || hr.kind == HeaderKind::empty;
      out.end_reason = hr.kind == HeaderKind::zeros   ? "zero block"
                       : hr.kind == HeaderKind::empty ? "end of file"
                                                      : reason + " at offset " + std::to_string(pos) +
                                                            " (tarfile stops here without an error)";
      return Step::stop;
    }
    const Header& h = hr.h;
    if (h.unusual_number) note(pos, "a numeric header field uses a form other tar readers read differently");
    std::uint64_t body = pos + kBlock;
    if (h.type == 'L' || h.type == 'K' || h.type == 'x' || h.type == 'g' || h.type == 'X') {
      if (static_cast<std::uint32_t>(chained) >= limits.max_tar_extended_headers) {
        out.unsupported = true;
        note(pos, "more than max_tar_extended_headers (" + std::to_string(limits.max_tar_extended_headers) +
                      ") extended headers in a row");
        return Step::error;
      }
      if (chained > 0) note(pos, "extended headers in a row: readers differ in which one wins");
      std::uint64_t padded = round_up(h.size);
      ByteView buf = bytes.subspan(std::min<std::uint64_t>(body, bytes.size()),
                                   std::min<std::uint64_t>(padded, bytes.size() - std::min<std::uint64_t>(body, bytes.size())));
      if (h.type == 'L' || h.type == 'K') {
        Step s = member_at(body + padded, chained + 1, m, data_end);
        if (s != Step::member) return s == Step::stop ? Step::error : s;
        if (h.type == 'L') {
          m.name = nts(buf);
          if (m.is_directory() && !m.name.empty() && m.name.back() == '/') m.name.pop_back();
        } else {
          m.linkname = nts(buf);
        }
        m.extended = true;
        m.header_offset = pos;
        return Step::member;
      }
      PaxMap local = h.type == 'g' ? PaxMap{} : global_pax;
      PaxMap records;
      if (!parse_pax_records(buf, records)) {
        if (pos == 0 || chained) {
          out.error = parse_error(pos, "invalid PAX records (tarfile raises ReadError)");
          return Step::error;
        }
        out.end_offset = pos;
        out.end_reason = "invalid PAX records at offset " + std::to_string(pos) + " (tarfile stops here without an error)";
        return Step::stop;
      }
      if (h.type == 'g') {
        for (auto& [k, v] : records) global_pax[k] = v;
        if (records.count("path") || records.count("size") || records.count("linkpath"))
          note(pos, "global PAX header sets a path, link or size for every following member");
      } else {
        for (auto& [k, v] : records) local[k] = v;
      }
      Step s = member_at(body + padded, chained + 1, m, data_end);
      if (s != Step::member) return s == Step::stop ? Step::error : s;
      if (h.type != 'g') apply_pax(m, data_end, local, local.count("size") > 0, pos);
      m.header_offset = pos;
      return Step::member;
    }
    if (h.type == 'S') {  // listed (so the caller can name it) but not followed: the walk ends
      out.unsupported = true;
      note(pos, "sparse member (GNU old sparse format)");
    }
    m = Member{};
    m.name = h.name;
    m.header_name = h.name;
    m.linkname = h.linkname;
    m.type = h.type;
    m.size = h.size;
    m.header_offset = pos;
    m.data_offset = body;
    data_end = body + (m.python_reads_as_file() ? round_up(h.size) : 0);
    apply_pax(m, data_end, global_pax, false, pos);  // tarfile applies global records after the skip
    if (m.is_directory())
      while (!m.name.empty() && m.name.back() == '/') m.name.pop_back();
    return Step::member;
  }

  void run() {
    std::uint64_t offset = 0;
    for (;;) {
      if (offset > bytes.size()) {
        out.error = parse_error(bytes.size(), "unexpected end of data: the previous member needs " +
                                                  std::to_string(offset - bytes.size()) +
                                                  " more bytes (tarfile raises ReadError)");
        return;
      }
      if (out.members.size() >= limits.max_archive_members) {
        out.limit_hit = true;
        return;
      }
      Member m;
      std::uint64_t data_end = 0;
      Step s = member_at(offset, 0, m, data_end);
      if (s == Step::stop) return;
      if (s == Step::error) {
        if (!out.error) out.error = parse_error(offset, "unsupported tar construct");
        return;
      }
      out.members.push_back(std::move(m));
      if (out.unsupported) return;
      offset = data_end;
    }
  }
};

}  // namespace

bool Member::python_reads_as_file() const {
  static constexpr std::string_view supported("\0" "01234567LKS", 12);
  return type == '0' || type == '\0' || type == '7' || supported.find(type) == std::string_view::npos;
}

Listing read_headers(ByteView bytes, const Limits& limits) {
  Listing out;
  Walker w{bytes, out, limits, {}};
  w.run();
  return out;
}

const Member* find_last(const Listing& l, std::string_view name) {
  for (auto it = l.members.rbegin(); it != l.members.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

bool looks_like_tar_header(ByteView bytes) {
  if (bytes.size() < kBlock) return false;
  HeaderRead r = read_block(bytes, 0);
  return r.kind == HeaderKind::ok && !r.h.name.empty();
}

}  // namespace modelgate::tar
