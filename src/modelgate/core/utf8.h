#pragma once
// UTF-8: encoding one code point (surrogates included, as Python's surrogatepass writes them) and
// decoding one strict sequence.
#include <cstdint>
#include <string>
#include <string_view>

namespace modelgate {

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace modelgate

namespace modelgate {

// Decodes the well-formed UTF-8 sequence at `s[pos]` (no overlongs, no surrogates unless allowed:
// Python's surrogatepass writes them) into `cp` and returns its length, or 0 when the byte there
// does not start one.
inline std::size_t decode_utf8(std::string_view s, std::size_t pos, std::uint32_t& cp, bool allow_surrogates = false) {
  auto c = static_cast<unsigned char>(s[pos]);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t len;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (pos + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[pos + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (!allow_surrogates && cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

// The one UTF-8 validator: every code point as decode_utf8 accepts it.
inline bool is_utf8(std::string_view s, bool allow_surrogates = false) {
  std::uint32_t cp = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = decode_utf8(s, i, cp, allow_surrogates);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace modelgate
