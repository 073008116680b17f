#include "template/python_str.h"

#include <algorithm>

namespace modelgate::jinja::pystr {

namespace {

bool py_ascii_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}
bool ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
char to_lower(char c) { return ascii_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return ascii_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

std::vector<std::string> code_points(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    len = std::min(len, s.size() - i);
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

bool is_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::optional<std::string> lower(const std::string& s) {
  if (!is_ascii(s)) return std::nullopt;
  std::string out = s;
  for (char& c : out) c = to_lower(c);
  return out;
}

std::optional<std::string> upper(const std::string& s) {
  if (!is_ascii(s)) return std::nullopt;
  std::string out = s;
  for (char& c : out) c = to_upper(c);
  return out;
}

std::optional<std::string> swapcase(const std::string& s) {
  if (!is_ascii(s)) return std::nullopt;
  std::string out = s;
  for (char& c : out) c = ascii_upper(c) ? to_lower(c) : to_upper(c);
  return out;
}

std::optional<std::string> title(const std::string& s) {
  if (!is_ascii(s)) return std::nullopt;
  std::string out = s;
  bool previous_cased = false;
  for (char& c : out) {
    bool cased = ascii_upper(c) || ascii_lower(c);
    if (cased) c = previous_cased ? to_lower(c) : to_upper(c);
    previous_cased = cased;
  }
  return out;
}

std::optional<std::string> capitalize(const std::string& s) {
  if (!is_ascii(s)) return std::nullopt;
  std::string out = s;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = i == 0 ? to_upper(out[i]) : to_lower(out[i]);
  return out;
}

// Jinja: words split at runs of `-`, whitespace, `(`, `{`, `[`, `<`; each non-empty piece gets
// its first character upper-cased and the rest lower-cased (separators are pieces too).
std::optional<std::string> jinja_title(const std::string& s) {
  if (!is_ascii(s)) return std::nullopt;
  auto separator = [](char c) { return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || py_ascii_space(c); };
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i;
    bool sep = separator(s[i]);
    while (j < s.size() && separator(s[j]) == sep) ++j;
    std::string piece = s.substr(i, j - i);
    for (std::size_t k = 0; k < piece.size(); ++k) piece[k] = k == 0 ? to_upper(piece[k]) : to_lower(piece[k]);
    out += piece;
    i = j;
  }
  return out;
}

std::optional<std::string> strip(const std::string& s, const std::optional<std::string>& chars, bool left,
                                 bool right) {
  std::vector<std::string> cps = code_points(s);
  std::vector<std::string> set;
  if (chars) set = code_points(*chars);
  // nullopt: a code point whose whitespace-ness needs Unicode tables.
  auto strips = [&](const std::string& cp) -> std::optional<bool> {
    if (chars) return std::find(set.begin(), set.end(), cp) != set.end();
    if (cp.size() > 1 || static_cast<unsigned char>(cp[0]) >= 0x80) return std::nullopt;
    return py_ascii_space(cp[0]);
  };
  std::size_t b = 0, e = cps.size();
  while (left && b < e) {
    auto st = strips(cps[b]);
    if (!st) return std::nullopt;
    if (!*st) break;
    ++b;
  }
  while (right && e > b) {
    auto st = strips(cps[e - 1]);
    if (!st) return std::nullopt;
    if (!*st) break;
    --e;
  }
  std::string out;
  for (std::size_t i = b; i < e; ++i) out += cps[i];
  return out;
}

std::optional<std::string> replace(const std::string& s, const std::string& from, const std::string& to,
                                   std::int64_t count, std::size_t max_size) {
  std::string out;
  if (from.empty()) {
    // Python inserts `to` before every code point and at the end, up to `count` times.
    std::int64_t done = 0;
    for (const auto& cp : code_points(s)) {
      if (count < 0 || done < count) {
        out += to;
        ++done;
      }
      out += cp;
      if (out.size() > max_size) return std::nullopt;
    }
    if (count < 0 || done < count) out += to;
    if (out.size() > max_size) return std::nullopt;
    return out;
  }
  std::size_t pos = 0;
  std::int64_t done = 0;
  for (;;) {
    std::size_t hit = (count < 0 || done < count) ? s.find(from, pos) : std::string::npos;
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out += to;
    if (out.size() > max_size) return std::nullopt;
    pos = hit + from.size();
    ++done;
  }
  out.append(s, pos);
  if (out.size() > max_size) return std::nullopt;
  return out;
}

std::optional<std::string> pad(const std::string& s, std::int64_t width, const std::string& fill, char how,
                               std::size_t max_size) {
  if (code_points(fill).size() != 1) return std::nullopt;
  auto len = static_cast<std::int64_t>(code_points(s).size());
  if (width <= len) return s;
  if (static_cast<std::size_t>(width) > max_size) return std::nullopt;
  std::int64_t margin = width - len, left = 0;
  if (how == 'c') left = margin / 2 + (margin & width & 1);  // CPython's pad() for center
  else if (how == 'r') left = margin;
  std::string out;
  for (std::int64_t i = 0; i < left; ++i) out += fill;
  out += s;
  for (std::int64_t i = 0; i < margin - left; ++i) out += fill;
  if (out.size() > max_size) return std::nullopt;
  return out;
}

std::optional<std::string> zfill(const std::string& s, std::int64_t width, std::size_t max_size) {
  auto cps = code_points(s);
  auto len = static_cast<std::int64_t>(cps.size());
  if (width <= len) return s;
  if (static_cast<std::size_t>(width) > max_size) return std::nullopt;
  std::string zeros(static_cast<std::size_t>(width - len), '0');
  if (!cps.empty() && (cps[0] == "+" || cps[0] == "-")) return cps[0] + zeros + s.substr(1);
  return zeros + s;
}

std::optional<std::vector<std::string>> split(const std::string& s, const std::string& sep, std::int64_t maxsplit,
                                              bool from_right, std::size_t max_items) {
  if (sep.empty()) return std::nullopt;  // ValueError in Python
  std::vector<std::string> out;
  if (!from_right) {
    std::size_t pos = 0;
    std::int64_t done = 0;
    for (;;) {
      std::size_t hit = (maxsplit < 0 || done < maxsplit) ? s.find(sep, pos) : std::string::npos;
      out.push_back(s.substr(pos, hit == std::string::npos ? std::string::npos : hit - pos));
      if (out.size() > max_items) return std::nullopt;
      if (hit == std::string::npos) break;
      pos = hit + sep.size();
      ++done;
    }
    return out;
  }
  std::size_t end = s.size();
  std::int64_t done = 0;
  for (;;) {
    std::size_t hit = std::string::npos;
    if ((maxsplit < 0 || done < maxsplit) && end >= sep.size()) hit = s.rfind(sep, end - sep.size());
    if (hit == std::string::npos) {
      out.push_back(s.substr(0, end));
      break;
    }
    out.push_back(s.substr(hit + sep.size(), end - hit - sep.size()));
    if (out.size() > max_items) return std::nullopt;
    end = hit;
    ++done;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<std::vector<std::string>> partition(const std::string& s, const std::string& sep, bool from_right) {
  if (sep.empty()) return std::nullopt;
  std::size_t hit = from_right ? s.rfind(sep) : s.find(sep);
  if (hit == std::string::npos)
    return from_right ? std::vector<std::string>{"", "", s} : std::vector<std::string>{s, "", ""};
  return std::vector<std::string>{s.substr(0, hit), sep, s.substr(hit + sep.size())};
}

std::optional<std::string> percent_format(const std::string& fmt, const std::vector<FormatArg>& args,
                                          std::size_t max_size) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) return std::nullopt;
    char conv = fmt[i];
    if (conv == '%') {
      out += '%';
      continue;
    }
    if (next >= args.size()) return std::nullopt;
    const FormatArg& a = args[next++];
    if (conv == 's') {
      if (!a.text) return std::nullopt;
      out += *a.text;
    } else if (conv == 'd' || conv == 'i') {
      if (!a.integer) return std::nullopt;
      out += std::to_string(*a.integer);
    } else if (conv == 'c') {
      if (a.is_string && a.text && code_points(*a.text).size() == 1) out += *a.text;
      else if (a.integer && *a.integer >= 0 && *a.integer < 0x80) out += static_cast<char>(*a.integer);
      else return std::nullopt;
    } else {
      return std::nullopt;
    }
    if (out.size() > max_size) return std::nullopt;
  }
  if (next != args.size()) return std::nullopt;
  return out;
}

std::optional<std::string> brace_format(const std::string& fmt, const std::vector<FormatArg>& args,
                                        std::size_t max_size) {
  std::string out;
  std::size_t auto_index = 0;
  bool numbered = false;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return std::nullopt;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    std::size_t close = fmt.find('}', i);
    if (close == std::string::npos) return std::nullopt;
    std::string field = fmt.substr(i + 1, close - i - 1);
    std::size_t index = 0;
    if (field.empty()) {
      if (numbered) return std::nullopt;  // Python refuses to mix the two
      index = auto_index++;
    } else if (field.size() < 4 && std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      if (auto_index > 0) return std::nullopt;
      numbered = true;
      index = std::stoul(field);
    } else {
      return std::nullopt;
    }
    if (index >= args.size() || !args[index].text) return std::nullopt;
    out += *args[index].text;
    if (out.size() > max_size) return std::nullopt;
    i = close;
  }
  return out;
}

std::optional<std::vector<std::size_t>> slice_indices(std::size_t n, const std::int64_t* start,
                                                      const std::int64_t* stop, const std::int64_t* step,
                                                      std::size_t max_items) {
  std::int64_t st = step ? *step : 1;
  if (st == 0) return std::nullopt;
  auto len = static_cast<std::int64_t>(n);
  // CPython's PySlice_AdjustIndices.
  auto adjust = [&](const std::int64_t* v, std::int64_t dflt) {
    if (v == nullptr) return dflt;
    std::int64_t x = *v;
    if (x < 0) {
      x += len;
      if (x < 0) x = st < 0 ? -1 : 0;
    } else if (x >= len) {
      x = st < 0 ? len - 1 : len;
    }
    return x;
  };
  std::int64_t b = adjust(start, st < 0 ? len - 1 : 0);
  std::int64_t e = adjust(stop, st < 0 ? -1 : len);
  std::vector<std::size_t> out;
  for (std::int64_t i = b; st > 0 ? i < e : i > e; i += st) {
    out.push_back(static_cast<std::size_t>(i));
    if (out.size() > max_items) return std::nullopt;
  }
  return out;
}

}  // namespace modelgate::jinja::pystr
