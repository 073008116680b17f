#include "format/json_escaped_names.h"

namespace modelgate {

namespace json_escaped_names {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool name_character(unsigned v) {
  return (v >= '0' && v <= '9') || (v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || v == '_' || v == ':' ||
         v == '.' || v == '-' || v == '$';
}

}  // namespace json_escaped_names

std::optional<std::size_t> escaped_name_character(std::string_view text) {
  using namespace json_escaped_names;
  for (std::size_t at = text.find("\\u"); at != std::string_view::npos; at = text.find("\\u", at + 1)) {
    // An escape only when the backslash is not itself escaped: an odd run of backslashes.
    std::size_t run = 1;
    while (at >= run && text[at - run] == '\\') ++run;
    if (run % 2 == 0 || at + 6 > text.size()) continue;
    unsigned v = 0;
    bool hex = true;
    for (std::size_t i = at + 2; i < at + 6 && hex; ++i) {
      const int d = hex_digit(text[i]);
      hex = d >= 0;
      v = v * 16 + static_cast<unsigned>(d < 0 ? 0 : d);
    }
    if (hex && name_character(v)) return at;
  }
  return std::nullopt;
}

}  // namespace modelgate
