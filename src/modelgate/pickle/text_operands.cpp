#include "pickle/text_operands.h"

#include "core/utf8.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace modelgate::pickle {

namespace {

bool py_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Accumulates digits of `base`, remembering when the magnitude leaves the int64 range.
struct Accumulator {
  std::uint64_t magnitude = 0;
  bool overflow = false;
  void add(int base, int d) {
    if (overflow) return;
    auto b = static_cast<std::uint64_t>(base), v = static_cast<std::uint64_t>(d);
    if (magnitude > (UINT64_MAX - v) / b) {
      overflow = true;
      return;
    }
    magnitude = magnitude * b + v;
  }
  IntOperand finish(bool negative) const {
    IntOperand r;
    r.ok = true;
    constexpr std::uint64_t max_pos = static_cast<std::uint64_t>(INT64_MAX);
    if (overflow || magnitude > max_pos + (negative ? 1 : 0)) {
      r.big = true;
      return r;
    }
    r.value = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
    return r;
  }
};

}  // namespace

IntOperand python_int(std::string_view s, int base) {
  std::size_t i = 0, n = s.size();
  while (i < n && py_space(s[i])) ++i;
  while (n > i && py_space(s[n - 1])) --n;
  bool negative = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i >= n) return {};
  bool after_prefix = false;
  if (base == 16 && s[i] == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    i += 2, after_prefix = true;
  } else if (base == 0) {
    if (s[i] == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      base = 16, i += 2, after_prefix = true;
    } else if (s[i] == '0' && i + 1 < n && (s[i + 1] == 'o' || s[i + 1] == 'O')) {
      base = 8, i += 2, after_prefix = true;
    } else if (s[i] == '0' && i + 1 < n && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
      base = 2, i += 2, after_prefix = true;
    } else {
      // Base 0 forbids leading zeros on non-zero decimals ("010" is an error; "000" is 0).
      if (s[i] == '0') {
        for (std::size_t k = i; k < n; ++k)
          if (s[k] != '0' && s[k] != '_') return {};
      }
      base = 10;
    }
  }
  Accumulator acc;
  bool any = false, last_underscore = after_prefix;  // "0x_1" is allowed, "1__2" is not
  bool prev_digit = false;
  for (; i < n; ++i) {
    if (s[i] == '_') {
      if (!(prev_digit || (after_prefix && !any)) || (last_underscore && any)) return {};
      last_underscore = true;
      prev_digit = false;
      continue;
    }
    int d = digit_value(s[i]);
    if (d >= base) return {};
    acc.add(base, d);
    any = true;
    prev_digit = true;
    last_underscore = false;
  }
  if (!any || last_underscore) return {};
  return acc.finish(negative);
}

IntOperand int_operand_c(std::string_view text) {
  // strtol needs a terminated string; the operand is short (a line), copying is fine.
  std::string z(text);
  z += '\n';
  errno = 0;
  char* end = nullptr;
  long x = std::strtol(z.c_str(), &end, 0);
  if (errno == 0 && end != z.c_str() && *end == '\n') {
    IntOperand r;
    r.ok = true;
    r.value = x;
    r.is_bool = text.size() == 2 && (x == 0 || x == 1);
    return r;
  }
  return python_int(text, 0);
}

IntOperand int_operand_py(std::string_view text) {
  if (text == "00" || text == "01") {
    IntOperand r;
    r.ok = r.is_bool = true;
    r.value = text[1] - '0';
    return r;
  }
  return python_int(text, 0);
}

IntOperand int_operand_pickletools(std::string_view text) {
  if (text == "00" || text == "01") return int_operand_py(text);
  return python_int(text, 10);
}

IntOperand long_operand_loader(std::string_view text) {
  if (!text.empty() && text.back() == 'L') text.remove_suffix(1);
  return python_int(text, 0);
}

IntOperand long_operand_pickletools(std::string_view text) {
  if (!text.empty() && text.back() == 'L') text.remove_suffix(1);
  return python_int(text, 10);
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// A decimal float without blanks or underscores: [sign] (digits [. digits] | . digits) [e [sign] digits],
// or [sign] inf|infinity|nan.
std::optional<double> strict_float(std::string_view s, bool overflow_is_error) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string_view rest = s.substr(i);
  if (iequals(rest, "inf") || iequals(rest, "infinity"))
    return negative ? -HUGE_VAL : HUGE_VAL;
  if (iequals(rest, "nan")) return negative ? -std::nan("") : std::nan("");
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::string z(s);
  double d = std::strtod(z.c_str(), nullptr);
  if (overflow_is_error && std::isinf(d)) return std::nullopt;
  return d;
}

}  // namespace

std::optional<double> float_operand_c(std::string_view text) { return strict_float(text, true); }

std::optional<double> float_operand_py(std::string_view text) {
  std::size_t i = 0, n = text.size();
  while (i < n && py_space(text[i])) ++i;
  while (n > i && py_space(text[n - 1])) --n;
  std::string cleaned;
  for (std::size_t k = i; k < n; ++k) {
    if (text[k] == '_') {
      bool between = k > i && k + 1 < n && digit_value(text[k - 1]) < 10 && digit_value(text[k + 1]) < 10;
      if (!between) return std::nullopt;
      continue;
    }
    cleaned += text[k];
  }
  return strict_float(cleaned, false);
}

namespace {

std::optional<std::string> escape_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= s.size()) return std::nullopt;  // trailing backslash
    c = s[i];
    switch (c) {
      case '\n': break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'v': out += '\v'; break;
      case 'a': out += '\a'; break;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        unsigned v = static_cast<unsigned>(c - '0');
        for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++k)
          v = v * 8 + static_cast<unsigned>(s[++i] - '0');
        out += static_cast<char>(v & 0xFF);
        break;
      }
      case 'x': {
        if (i + 2 >= s.size()) return std::nullopt;
        int hi = digit_value(s[i + 1]), lo = digit_value(s[i + 2]);
        if (hi >= 16 || lo >= 16) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        out += '\\';
        out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> string_operand_c(std::string_view text) {
  if (text.size() < 2 || text.front() != text.back() || (text.front() != '\'' && text.front() != '"'))
    return std::nullopt;
  return escape_decode(text.substr(1, text.size() - 2));
}

std::optional<std::string> string_operand_pickletools(std::string_view text) {
  if (text.empty() || (text.front() != '\'' && text.front() != '"') || text.back() != text.front())
    return std::nullopt;
  if (text.size() == 1) return std::string();
  return escape_decode(text.substr(1, text.size() - 2));
}

namespace {

}  // namespace

std::optional<std::string> raw_unicode_escape_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c != '\\') {
      append_utf8(out, c);  // bytes are Latin-1 code points
      ++i;
      continue;
    }
    // A run of backslashes: only an odd-length run followed by u/U starts an escape.
    std::size_t run = 0;
    while (i < s.size() && s[i] == '\\') ++run, ++i;
    bool escape = (run % 2 == 1) && i < s.size() && (s[i] == 'u' || s[i] == 'U');
    for (std::size_t k = 0; k < run - (escape ? 1 : 0); ++k) out += '\\';
    if (!escape) continue;
    int count = s[i] == 'u' ? 4 : 8;
    ++i;
    if (i + static_cast<std::size_t>(count) > s.size()) return std::nullopt;
    std::uint32_t cp = 0;
    for (int k = 0; k < count; ++k) {
      int d = digit_value(s[i + static_cast<std::size_t>(k)]);
      if (d >= 16) return std::nullopt;
      cp = cp * 16 + static_cast<std::uint32_t>(d);
    }
    if (cp > 0x10FFFF) return std::nullopt;
    i += static_cast<std::size_t>(count);
    append_utf8(out, cp);
  }
  return out;
}

}  // namespace modelgate::pickle
