#include "core/python_base64.h"

#include <string>

namespace modelgate {

namespace {

int base64_digit(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Expected<std::vector<std::uint8_t>> python_b64decode(std::string_view text, std::uint64_t max_out) {
  std::vector<std::uint8_t> out;
  unsigned quad_pos = 0, pads = 0;
  std::uint8_t left = 0;
  std::uint64_t data_chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '=') {
      // binascii: a pad after two or three data characters completes the group and ends the input.
      if (quad_pos >= 2 && quad_pos + ++pads >= 4) return out;
      continue;
    }
    const int v = base64_digit(c);
    if (v < 0) continue;  // not strict: skipped, as whitespace is
    ++data_chars;
    pads = 0;
    if (quad_pos != 0 && out.size() >= max_out)
      return parse_error(i, "decodes to more than " + std::to_string(max_out) + " bytes");
    switch (quad_pos) {
      case 0: left = static_cast<std::uint8_t>(v); break;
      case 1: out.push_back(static_cast<std::uint8_t>((left << 2) | (v >> 4))); left = static_cast<std::uint8_t>(v & 0x0f); break;
      case 2: out.push_back(static_cast<std::uint8_t>((left << 4) | (v >> 2))); left = static_cast<std::uint8_t>(v & 0x03); break;
      default: out.push_back(static_cast<std::uint8_t>((left << 6) | v)); break;
    }
    quad_pos = (quad_pos + 1) & 3;
  }
  if (quad_pos == 1)
    return parse_error(text.size(), "invalid base64: the number of data characters (" + std::to_string(data_chars) +
                                        ") cannot be 1 more than a multiple of 4");
  if (quad_pos != 0) return parse_error(text.size(), "invalid base64: incorrect padding");
  return out;
}

}  // namespace modelgate
