#include "hf/python_source.h"

#include <array>

#include "core/utf8.h"
#include "pickle/text_operands.h"

namespace modelgate::python {

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
unsigned hex_value(char c) { return c <= '9' ? unsigned(c - '0') : unsigned((c | 0x20) - 'a' + 10); }

// The first two physical lines, split at "\n", "\r\n" or "\r" (CPython reads lines before it
// knows the encoding; the cookie line cannot contain a line end in any of these readings).
std::array<std::string_view, 2> first_lines(std::string_view s) {
  std::array<std::string_view, 2> out{};
  std::size_t p = 0;
  for (auto& line : out) {
    if (p >= s.size()) break;
    std::size_t e = s.find_first_of("\r\n", p);
    if (e == std::string_view::npos) e = s.size();
    line = s.substr(p, e - p);
    p = e + (s.substr(e, 2) == "\r\n" ? 2 : 1);
  }
  return out;
}

bool comment_or_blank(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t\f");
  return i == std::string_view::npos || line[i] == '#';
}

// PEP 263: ^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)
std::string coding_spec(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t\f");
  if (i == std::string_view::npos || line[i] != '#') return {};
  for (std::size_t at = line.find("coding", i); at != std::string_view::npos; at = line.find("coding", at + 1)) {
    std::size_t p = at + 6;
    if (p >= line.size() || (line[p] != ':' && line[p] != '=')) continue;
    ++p;
    while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
    std::string name;
    while (p < line.size()) {
      char c = line[p++];
      bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '.';
      if (!word) break;
      name += c;
    }
    if (!name.empty()) return name;
  }
  return {};
}

// Python's codec-name normalization: lower case, '-' and ' ' become '_'.
std::string normalize(std::string name) {
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    if (c == '-' || c == ' ') c = '_';
  }
  return name;
}

enum class Codec { utf8, ascii, latin1, unicode_escape, raw_unicode_escape, unsupported };

Codec codec_for(const std::string& n) {
  // CPython's get_normal_name maps "utf-8-*" and "latin-1-*" / "iso-8859-1-*" itself.
  if (n == "utf_8" || n.rfind("utf_8_", 0) == 0 || n == "utf8" || n == "u8" || n == "utf" || n == "cp65001" ||
      n == "utf8_ucs2" || n == "utf8_ucs4")
    return Codec::utf8;
  if (n == "ascii" || n == "us_ascii" || n == "646" || n == "us" || n == "ansi_x3.4_1968" || n == "iso646_us" ||
      n == "cp367" || n == "csascii" || n == "ibm367" || n == "iso_ir_6")
    return Codec::ascii;
  if (n == "latin_1" || n == "latin1" || n == "latin" || n == "l1" || n == "iso_8859_1" || n == "iso8859_1" ||
      n == "8859" || n == "cp819" || n == "iso_ir_100" || n.rfind("latin_1_", 0) == 0 ||
      n.rfind("iso_8859_1_", 0) == 0 || n.rfind("iso_latin_1", 0) == 0)
    return Codec::latin1;
  if (n == "unicode_escape") return Codec::unicode_escape;
  if (n == "raw_unicode_escape") return Codec::raw_unicode_escape;
  return Codec::unsupported;
}

void latin1(std::string& out, unsigned char c) { append_utf8(out, c); }

// Reads `digits` hex digits at s[p]; false when fewer are there.
bool hex_escape(std::string_view s, std::size_t& p, int digits, std::uint32_t& cp) {
  cp = 0;
  for (int k = 0; k < digits; ++k, ++p) {
    if (p >= s.size() || !is_hex(s[p])) return false;
    cp = cp * 16 + hex_value(s[p]);
  }
  return true;
}

Expected<std::string> decode_unicode_escape(std::string_view s) {
  std::string out;
  for (std::size_t p = 0; p < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[p]);
    if (c != '\\') {
      latin1(out, c);
      ++p;
      continue;
    }
    std::size_t at = p++;
    if (p >= s.size()) return parse_error(at, "unicode_escape: \\ at end of source");
    char e = s[p++];
    std::uint32_t cp = 0;
    switch (e) {
      case '\n': break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x':
        if (!hex_escape(s, p, 2, cp)) return parse_error(at, "unicode_escape: truncated \\xXX escape");
        append_utf8(out, cp);
        break;
      case 'u':
        if (!hex_escape(s, p, 4, cp)) return parse_error(at, "unicode_escape: truncated \\uXXXX escape");
        append_utf8(out, cp);
        break;
      case 'U':
        if (!hex_escape(s, p, 8, cp) || cp > 0x10FFFF)
          return parse_error(at, "unicode_escape: bad \\UXXXXXXXX escape");
        append_utf8(out, cp);
        break;
      case 'N': return parse_error(at, "unicode_escape: \\N{...} named escapes are not decoded by modelgate");
      default:
        if (e >= '0' && e <= '7') {
          cp = static_cast<std::uint32_t>(e - '0');
          for (int k = 0; k < 2 && p < s.size() && s[p] >= '0' && s[p] <= '7'; ++k) cp = cp * 8 + (s[p++] - '0');
          append_utf8(out, cp);
        } else {  // unknown escapes stay as they are
          out += '\\';
          --p;
        }
    }
  }
  return out;
}

// CPython's universal newlines: "\r\n" and "\r" become "\n".
std::string normalize_newlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t p = 0; p < s.size(); ++p) {
    if (s[p] != '\r') {
      out += s[p];
      continue;
    }
    out += '\n';
    if (p + 1 < s.size() && s[p + 1] == '\n') ++p;
  }
  return out;
}

}  // namespace

Expected<DecodedSource> decode_source(std::string_view bytes) {
  DecodedSource d;
  bool bom = bytes.substr(0, 3) == "\xEF\xBB\xBF";
  if (bom) bytes.remove_prefix(3);
  auto lines = first_lines(bytes);
  std::string spec = coding_spec(lines[0]);
  if (spec.empty() && comment_or_blank(lines[0])) spec = coding_spec(lines[1]);
  d.encoding = spec.empty() ? "utf-8" : normalize(spec);
  Codec codec = spec.empty() ? Codec::utf8 : codec_for(d.encoding);
  if (bom && codec != Codec::utf8)
    return parse_error(0, "UTF-8 byte-order mark with coding cookie '" + spec + "' (CPython refuses the file)");
  std::string text;
  switch (codec) {
    case Codec::utf8:
    case Codec::ascii:
      text.assign(bytes);
      if (codec == Codec::ascii) {
        for (std::size_t i = 0; i < bytes.size(); ++i)
          if (static_cast<unsigned char>(bytes[i]) >= 0x80)
            return parse_error(i, "byte outside ASCII in a source declared ascii");
      }
      if (!is_utf8(text))
        return parse_error(0, "source is not valid UTF-8 and declares no other encoding (CPython refuses it)");
      break;
    case Codec::latin1:
      for (unsigned char c : bytes) latin1(text, c);
      d.transformed = true;
      break;
    case Codec::unicode_escape:
    case Codec::raw_unicode_escape: {
      Expected<std::string> decoded = parse_error(0, "raw_unicode_escape: bad \\u or \\U escape");
      if (codec == Codec::unicode_escape) decoded = decode_unicode_escape(bytes);
      else if (auto raw = pickle::raw_unicode_escape_to_utf8(bytes)) decoded = std::move(*raw);
      if (!decoded) return decoded.error();
      if (!is_utf8(*decoded))
        return parse_error(0, d.encoding + " decodes to lone surrogates (CPython refuses the file)");
      text = std::move(*decoded);
      d.transformed = true;
      break;
    }
    case Codec::unsupported:
      return parse_error(0, "source encoding '" + spec + "' is not decoded by modelgate; the code it hides cannot be read");
  }
  d.text = normalize_newlines(text);
  return d;
}

}  // namespace modelgate::python
