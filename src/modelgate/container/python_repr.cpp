#include "container/python_repr.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace modelgate {

// Python's repr() of a float: the shortest round-trip digits, positional for exponents -4..15,
// otherwise scientific with a signed two-digit exponent ("0.0003", "1e-05", "3.0", "1e+16").
std::string python_repr(double f) {
  if (f != f) return "nan";
  if (f == __builtin_inf()) return "inf";
  if (f == -__builtin_inf()) return "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, res.ec == std::errc() ? res.ptr : buf);
  std::string sign;
  if (!sci.empty() && sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  auto e = sci.find('e');
  if (e == std::string::npos) return sign + sci;
  int exp = std::atoi(sci.c_str() + e + 1);
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int decpt = exp + 1;
  std::string out;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0)
      out = "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
    else if (static_cast<std::size_t>(decpt) >= digits.size())
      out = digits + std::string(static_cast<std::size_t>(decpt) - digits.size(), '0') + ".0";
    else
      out = digits.substr(0, static_cast<std::size_t>(decpt)) + "." + digits.substr(static_cast<std::size_t>(decpt));
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += eb;
  }
  return sign + out;
}

}  // namespace modelgate
