#include "pickle/costly_calls.h"

#include <cctype>

namespace modelgate::pickle {

namespace {

// 10**100000 takes milliseconds; each further digit of exponent multiplies the cost by ten or more.
constexpr std::size_t kMaxExponentDigits = 5;

// The exponent of a decimal string as Decimal() and Fraction() read it ("1.5e-7", "-2E+10"):
// too long when it has more than kMaxExponentDigits significant characters. Characters other than
// ASCII digits (Decimal takes any Unicode digit) count as significant.
bool long_exponent(std::string_view s) {
  const std::size_t e = s.find_last_of("eE");
  if (e == std::string_view::npos) return false;
  std::string_view exponent = s.substr(e + 1);
  while (!exponent.empty() && std::isspace(static_cast<unsigned char>(exponent.back()))) exponent.remove_suffix(1);
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.remove_prefix(1);
  while (!exponent.empty() && (exponent[0] == '0' || exponent[0] == '_')) exponent.remove_prefix(1);
  std::size_t significant = 0;
  for (char c : exponent) significant += c != '_';
  return significant > kMaxExponentDigits;
}

// Python's encodings.normalize_encoding, then its alias table, for the codecs that take time
// linear in their input: the ones pickles and their writers use.
bool linear_codec(std::string_view name) {
  std::string n;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    n += std::isalnum(u) || c == '.' ? static_cast<char>(std::tolower(u)) : '_';
  }
  static constexpr std::string_view kLinear[] = {
      "utf_8", "utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001",
      "latin_1", "latin1", "latin", "l1", "iso_8859_1", "iso8859_1", "8859", "cp819", "iso_ir_100", "csisolatin1",
      "ascii", "us_ascii", "646", "ansi_x3.4_1968", "ansi_x3_4_1968", "ansi_x3.4_1986", "cp367", "csascii", "ibm367",
      "iso646_us", "iso_646.irv_1991", "iso_ir_6", "us",
      "utf_16", "utf16", "u16", "utf_16_le", "utf_16le", "unicodelittleunmarked", "utf_16_be", "utf_16be",
      "unicodebigunmarked", "utf_32", "utf32", "u32", "utf_32_le", "utf_32le", "utf_32_be", "utf_32be",
      "raw_unicode_escape", "unicode_escape"};
  for (auto l : kLinear)
    if (n == l) return true;
  return false;
}

bool literal_number(const Value& v) {
  return v.kind == Kind::integer || v.kind == Kind::boolean || v.kind == Kind::floating;
}

std::optional<std::string> decimal_argument(std::string_view callable, const Value& v, const ValueGraph& g) {
  const std::string huge = std::string(callable) + " of a number with an exponent of more than " +
                           std::to_string(kMaxExponentDigits) +
                           " digits: converting it to an integer or a fraction computes 10**exponent";
  if (v.kind == Kind::string) return long_exponent(g.text_of(v)) ? std::optional<std::string>(huge) : std::nullopt;
  if (literal_number(v)) return std::nullopt;
  // Decimal((sign, digits, exponent)): the exponent is a number of its own, or 'F', 'n', 'N'.
  if (v.kind == Kind::tuple && v.has_node()) {
    const Node& t = g.node(static_cast<std::uint32_t>(v.u));
    if (t.items.size() == 3 && t.items[2].kind == Kind::string) return std::nullopt;
    if (t.items.size() == 3 && (t.items[2].kind == Kind::integer || t.items[2].kind == Kind::big_integer)) {
      const bool small = t.items[2].kind == Kind::integer && t.items[2].i > -100000 && t.items[2].i < 100000;
      return small ? std::nullopt : std::optional<std::string>(huge);
    }
  }
  return std::string(callable) + " of a value modelgate cannot bound (not a literal number or numeric string)";
}

}  // namespace

std::optional<std::string> costly_call(std::string_view callable, const Node* args, const ValueGraph& g) {
  const bool decimal = callable == "decimal.Decimal" || callable == "fractions.Fraction";
  const bool codec = callable == "_codecs.encode" || callable == "builtins.bytes" ||
                     callable == "builtins.bytearray" || callable == "builtins.str";
  if (!decimal && !codec) return std::nullopt;
  if (args == nullptr || args->items.size() == 0) return std::nullopt;  // plain numbers, or no argument
  if (decimal) {
    for (std::size_t i = 0; i < args->items.size() && i < 2; ++i)
      if (auto why = decimal_argument(callable, args->items[i], g)) return why;
    return std::nullopt;
  }
  // bytes(text, encoding), str(data, encoding), _codecs.encode(text[, encoding]): the codec by name.
  if (args->items.size() < 2) return std::nullopt;  // UTF-8 (_codecs.encode) or no codec at all
  const Value& name = args->items[1];
  if (name.kind != Kind::string) return std::string(callable) + " with a codec named by a computed value";
  if (!linear_codec(g.text_of(name)))
    return std::string(callable) + " with codec '" + std::string(g.text_of(name).substr(0, 40)) +
           "', which is not one of the linear-time text codecs real pickles use (punycode is quadratic)";
  return std::nullopt;
}

}  // namespace modelgate::pickle
