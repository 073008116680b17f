#include "hf/python_identifier.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace modelgate::python {

namespace {

struct NfkcAsciiRun {
  std::uint32_t first, last;
  const char* ascii;  // the form of `first`; the run continues with consecutive characters
};

constexpr NfkcAsciiRun kNfkcAsciiRuns[] = {
#include "hf/python_nfkc_ascii.inc"
};

// The next code point of valid UTF-8 at `i`, or nullopt.
std::optional<std::uint32_t> next_code_point(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  std::uint8_t c = byte(i);
  std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return std::nullopt;
  std::uint32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = cp << 6 | (byte(i + k) & 0x3F);
  }
  i += len;
  return cp;
}

}  // namespace

std::optional<std::string> ascii_identifier(std::string_view utf8) {
  if (std::all_of(utf8.begin(), utf8.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    auto cp = next_code_point(utf8, i);
    if (!cp) return std::nullopt;
    if (*cp < 0x80) {
      out.push_back(static_cast<char>(*cp));
      continue;
    }
    auto run = std::upper_bound(std::begin(kNfkcAsciiRuns), std::end(kNfkcAsciiRuns), *cp,
                                [](std::uint32_t v, const NfkcAsciiRun& r) { return v < r.first; });
    if (run == std::begin(kNfkcAsciiRuns) || (--run)->last < *cp) return std::nullopt;
    if (run->first == run->last) out += run->ascii;
    else out.push_back(static_cast<char>(run->ascii[0] + (*cp - run->first)));
  }
  return out;
}

}  // namespace modelgate::python
