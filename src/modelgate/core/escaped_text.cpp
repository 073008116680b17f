#include "core/escaped_text.h"

#include <cstdint>

#include "core/utf8.h"

namespace modelgate {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";  // RFC 3986 prefers upper case

void append_hex(std::string& out, std::uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHexDigits[(value >> shift) & 15];
}

// Code points that make a terminal line show something other than its bytes.
bool reorders_or_hides(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

}  // namespace

std::string escape_for_terminal(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::uint32_t cp = 0;
    std::size_t len = decode_utf8(bytes, i, cp);
    if (len == 0) {
      out += "\\x";
      append_hex(out, static_cast<unsigned char>(bytes[i]), 2);
      ++i;
      continue;
    }
    if (cp == '\\') out += "\\\\";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (cp == '\t') out += "\\t";
    else if (cp < 0x20 || cp == 0x7F) out += "\\x", append_hex(out, cp, 2);
    else if (reorders_or_hides(cp)) out += "\\u", append_hex(out, cp, 4);
    else out.append(bytes.substr(i, len));
    i += len;
  }
  return out;
}

void append_json_string(std::string& out, std::string_view bytes) {
  out += '"';
  for (std::size_t i = 0; i < bytes.size();) {
    std::uint32_t cp = 0;
    std::size_t len = decode_utf8(bytes, i, cp);
    if (len == 0) {
      out += "\\udc";
      append_hex(out, static_cast<unsigned char>(bytes[i]), 2);
      ++i;
      continue;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (cp < 0x20) out += "\\u00", append_hex(out, cp, 2);
        else out.append(bytes.substr(i, len));
    }
    i += len;
  }
  out += '"';
}

std::string percent_encode_path(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kUpperHexDigits[c >> 4];
      out += kUpperHexDigits[c & 15];
    }
  }
  return out;
}

}  // namespace modelgate
