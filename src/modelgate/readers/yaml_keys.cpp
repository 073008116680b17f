#include "readers/yaml_keys.h"

#include <algorithm>

#include "core/utf8.h"

namespace modelgate::yaml {

namespace yaml_keys_detail {

bool blank(char c) { return c == ' ' || c == '\t'; }
bool blank_or_end(std::string_view t, std::size_t i) { return i >= t.size() || blank(t[i]) || t[i] == '\n'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// PyYAML's scan_flow_scalar_breaks: the blank lines after a line break, each a '\n'; leading
// blanks of the next line are dropped.
std::string folded_breaks(std::string_view body, std::size_t& k) {
  std::string breaks;
  for (;;) {
    while (k < body.size() && blank(body[k])) ++k;
    if (k < body.size() && body[k] == '\n') {
      breaks += '\n';
      ++k;
      continue;
    }
    return breaks;
  }
}

// PyYAML's ESCAPE_REPLACEMENTS and ESCAPE_CODES; `k` is on the byte after the backslash and ends
// after the escape.
bool escape(std::string_view body, std::size_t& k, std::string& out) {
  if (k >= body.size()) return false;
  const char e = body[k++];
  static constexpr std::string_view kFrom("0abt\tnvfre \"\\/N_LP");
  static constexpr std::uint32_t kTo[] = {0, 7, 8, 9, 9, 10, 11, 12, 13, 27, 32, 34, 92, 47, 0x85, 0xA0, 0x2028, 0x2029};
  static_assert(std::size(kTo) == kFrom.size());
  if (const std::size_t i = kFrom.find(e); i != std::string_view::npos) {
    append_utf8(out, kTo[i]);
    return true;
  }
  const std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
  if (digits == 0 || k + digits > body.size()) return false;
  std::uint32_t cp = 0;
  for (std::size_t d = 0; d < digits; ++d) {
    const int x = hex_digit(body[k++]);
    if (x < 0) return false;
    cp = cp * 16 + static_cast<std::uint32_t>(x);
  }
  if (cp > 0x10FFFF) return false;
  if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate: still not any ASCII key
  append_utf8(out, cp);
  return true;
}

std::optional<std::string> decode_flow_scalar(std::string_view body, bool dq) {
  std::string out;
  for (std::size_t k = 0; k < body.size();) {
    const char c = body[k];
    if (blank(c)) {
      std::size_t j = k;
      while (j < body.size() && blank(body[j])) ++j;
      if (j < body.size() && body[j] == '\n') {
        k = j + 1;
        const std::string breaks = folded_breaks(body, k);
        out += breaks.empty() ? std::string(" ") : breaks;
      } else {
        out.append(body.substr(k, j - k));
        k = j;
      }
    } else if (c == '\n') {
      ++k;
      const std::string breaks = folded_breaks(body, k);
      out += breaks.empty() ? std::string(" ") : breaks;
    } else if (dq && c == '\\') {
      if (k + 1 < body.size() && body[k + 1] == '\n') {  // an escaped line break joins the lines
        k += 2;
        out += folded_breaks(body, k);
      } else {
        ++k;
        if (!escape(body, k, out)) return std::nullopt;
      }
    } else if (!dq && c == '\'' && k + 1 < body.size() && body[k + 1] == '\'') {
      out += '\'';
      k += 2;
    } else {
      out += c;
      ++k;
    }
  }
  return out;
}

// The index of the quote closing the quoted scalar that opens at `open`, or npos.
std::size_t quote_end(std::string_view t, std::size_t open) {
  const char q = t[open];
  for (std::size_t k = open + 1; k < t.size(); ++k) {
    if (q == '"' && t[k] == '\\') ++k;
    else if (q == '\'' && t[k] == '\'' && k + 1 < t.size() && t[k + 1] == '\'') ++k;
    else if (t[k] == q) return k;
  }
  return std::string_view::npos;
}

std::size_t token_end(std::string_view t, std::size_t i) {
  while (i < t.size() && !blank(t[i]) && t[i] != '\n') ++i;
  return i;
}

std::size_t skip_blanks(std::string_view t, std::size_t i) {
  while (i < t.size() && blank(t[i])) ++i;
  return i;
}

// Plain scalars longer than this are not decoded (a key that long is none a reading looks for, and
// the bound keeps the scan linear on lines of many explicit keys or properties).
constexpr std::size_t kMaxPlain = 4096;

// A plain scalar from `i` on its line: up to ": ", ":<end of line>", " #", or a flow indicator in
// flow context; at most kMaxPlain bytes.
std::size_t plain_end(std::string_view t, std::size_t i, bool flow) {
  const std::size_t limit = std::min(t.size(), i + kMaxPlain);
  for (; i < limit && t[i] != '\n'; ++i) {
    if (t[i] == ':' && (blank_or_end(t, i + 1) || (flow && std::string_view(",[]{}").find(t[i + 1]) != std::string_view::npos)))
      break;
    if (t[i] == '#' && i > 0 && blank(t[i - 1])) break;
    if (flow && std::string_view(",[]{}").find(t[i]) != std::string_view::npos) break;
  }
  return i;
}

std::string_view rtrim_blanks(std::string_view s) {
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// The scalar value after the ':' at `colon`, on the same line, without quotes.
std::optional<std::string> value_after(std::string_view t, std::size_t colon, bool flow) {
  std::size_t v = skip_blanks(t, colon + 1);
  if (v >= t.size() || t[v] == '\n' || t[v] == '#') return std::nullopt;
  if (t[v] == '"' || t[v] == '\'') {
    const std::size_t close = quote_end(t, v);
    if (close == std::string_view::npos) return std::nullopt;
    return decode_flow_scalar(t.substr(v + 1, close - v - 1), t[v] == '"');
  }
  return std::string(rtrim_blanks(t.substr(v, plain_end(t, v, flow) - v)));
}

struct Scanner {
  std::string_view t;
  std::vector<HiddenKey> out;
  int flow = 0;  // depth of flow collections
  std::vector<std::pair<std::size_t, std::size_t>> block_text;  // block scalars' text: [begin, end)

  static constexpr std::size_t kMaxKeys = 1000;

  bool full() const { return out.size() >= kMaxKeys; }

  void add(std::size_t at, KeyForm form, std::optional<std::string> key, std::optional<std::string> value,
           std::size_t written_end) {
    if (full()) return;
    if (out.size() + 1 == kMaxKeys) {  // the last entry stands for every key not listed: any may be the key
      form = KeyForm::unlisted;
      key.reset();
      value.reset();
      written_end = at;
    }
    HiddenKey k;
    k.offset = at;
    k.form = form;
    k.key = std::move(key);
    k.value = std::move(value);
    k.written = std::string(t.substr(at, std::min<std::size_t>(written_end - at, 200)));
    out.push_back(std::move(k));
  }

  // The key node starting at `i` (a quoted or plain scalar on this line): its decoded text, its
  // end, and the ':' after it on the line (npos when none).
  struct Node {
    std::optional<std::string> text;
    std::size_t end;
    std::size_t colon;
  };
  Node node_at(std::size_t i) const {
    Node n{std::nullopt, i, std::string_view::npos};
    if (i >= t.size()) return n;
    if (t[i] == '"' || t[i] == '\'') {
      const std::size_t close = quote_end(t, i);
      if (close == std::string_view::npos) {
        n.end = t.size();
        return n;
      }
      n.text = decode_flow_scalar(t.substr(i + 1, close - i - 1), t[i] == '"');
      n.end = close + 1;
    } else if (t[i] == '\n' || std::string_view("[{*!&|>").find(t[i]) != std::string_view::npos) {
      return n;  // not a scalar on this line: nothing decoded
    } else {
      n.end = plain_end(t, i, flow > 0);
      if (n.end - i < kMaxPlain) n.text = std::string(rtrim_blanks(t.substr(i, n.end - i)));
    }
    const std::size_t c = skip_blanks(t, n.end);
    if (c < t.size() && t[c] == ':') n.colon = c;
    return n;
  }

  // Skips a block scalar's text: the lines after `i` indented deeper than `parent` (or blank).
  // Returns the index of the '\n' ending its last line.
  std::size_t block_scalar_end(std::size_t i, long parent) const {
    std::size_t eol = t.find('\n', i);
    while (eol != std::string_view::npos) {
      std::size_t k = eol + 1, indent = 0;
      while (k < t.size() && t[k] == ' ') ++k, ++indent;
      if (k < t.size() && t[k] != '\n' && static_cast<long>(indent) <= parent) break;
      if (k >= t.size()) return t.size();
      eol = t.find('\n', k);
    }
    return eol == std::string_view::npos ? t.size() : eol;
  }

  void run() {
    bool node_start = true;  // a node (and so a key) may begin here
    long node_column = -1;   // column of the innermost collection entry begun on this line
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < t.size() && !full(); ++i) {
      const char c = t[i];
      if (c == '\n') {
        node_start = true;
        node_column = -1;
        line_start = i + 1;
        continue;
      }
      if (blank(c)) continue;
      if (c == '#' && (i == 0 || blank(t[i - 1]) || t[i - 1] == '\n')) {  // a comment
        const std::size_t eol = t.find('\n', i);
        if (eol == std::string_view::npos) break;
        i = eol - 1;
        continue;
      }
      if (i == line_start && (c == '%' || ((c == '-' || c == '.') && t.substr(i, 3) == std::string(3, c) &&
                                           blank_or_end(t, i + 3)))) {
        if (c == '%') {  // a directive line
          const std::size_t eol = t.find('\n', i);
          if (eol == std::string_view::npos) break;
          i = eol - 1;
        } else {
          i += 2;  // a document marker: a node may follow
          node_start = true;
        }
        continue;
      }
      const long column = static_cast<long>(i - line_start);
      if (flow > 0 && (c == ',' || c == '[' || c == '{')) {
        if (c != ',') ++flow;
        node_start = true;
        continue;
      }
      if (flow > 0 && (c == ']' || c == '}')) {
        --flow;
        node_start = false;
        continue;
      }
      if (!node_start) {
        if (c == ':' && (blank_or_end(t, i + 1) || (flow > 0 && std::string_view(",[]{}").find(t[i + 1]) != std::string_view::npos)))
          node_start = true;
        continue;
      }
      // A node may begin at `i`.
      if (c == '[' || c == '{') {
        ++flow;
        continue;
      }
      if ((c == '-' || c == ':') && blank_or_end(t, i + 1)) {
        if (c == '-') node_column = column;
        continue;
      }
      if (c == '?' && (flow > 0 || blank_or_end(t, i + 1))) {
        explicit_key(i);
        if (flow == 0) node_column = column;
        continue;
      }
      if (c == '!' || c == '&') {
        i = property(i) - 1;  // past every property in a row
        continue;           // still at a node's start
      }
      if (c == '*') {
        const std::size_t end = flow > 0 ? std::min(token_end(t, i), plain_end(t, i, true)) : token_end(t, i);
        std::size_t name_end = end;
        if (name_end > i + 1 && t[name_end - 1] == ':') --name_end;  // PyYAML ends an alias at ':' only before a blank
        const std::size_t colon = skip_blanks(t, name_end);
        if (colon < t.size() && t[colon] == ':')
          add(i, KeyForm::alias, std::nullopt, value_after(t, colon, flow > 0), name_end);
        i = name_end - 1;
        node_start = false;
        continue;
      }
      if (c == '|' || c == '>') {
        std::size_t indent = line_start;
        while (indent < i && t[indent] == ' ') ++indent;
        const long parent = node_column >= 0 ? node_column : static_cast<long>(indent - line_start) - 1;
        const std::size_t end = block_scalar_end(i, parent);
        const std::size_t text_start = t.find('\n', i);
        if (text_start != std::string_view::npos && text_start < end) block_text.emplace_back(text_start + 1, end);
        i = end - 1;
        node_start = false;
        continue;
      }
      if (c == '"' || c == '\'') {
        const std::size_t close = quote_end(t, i);
        if (close == std::string_view::npos) break;  // PyYAML fails on an unterminated scalar
        const std::string_view body = t.substr(i + 1, close - i - 1);
        const bool escapes = body.find('\n') != std::string_view::npos ||
                             (c == '"' ? body.find('\\') : body.find("''")) != std::string_view::npos;
        const std::size_t colon = skip_blanks(t, close + 1);
        if (escapes && colon < t.size() && t[colon] == ':')
          add(i, KeyForm::escaped, decode_flow_scalar(body, c == '"'), value_after(t, colon, flow > 0), close + 1);
        i = close;
        node_start = false;
        continue;
      }
      if (node_column < 0 && flow == 0) node_column = column;
      node_start = false;  // a plain scalar
    }
  }

  // A second pass that trusts no quoting (a quote the first pass took to open a scalar may be text
  // inside a plain scalar, hiding the lines after it): keys introduced at the start of a line or
  // after a flow indicator, and single-line quoted keys with escapes.
  void backstop() {
    const std::size_t first_pass = out.size();
    auto seen = [&](std::size_t at) {
      for (std::size_t k = 0; k < first_pass; ++k)
        if (out[k].offset == at) return true;
      return false;
    };
    flow = 0;
    std::size_t next_block = 0;  // block_text is in order and its ranges do not overlap
    for (std::size_t line = 0; line < t.size() && !full();) {
      std::size_t eol = t.find('\n', line);
      if (eol == std::string_view::npos) eol = t.size();
      while (next_block < block_text.size() && block_text[next_block].second <= line) ++next_block;
      if (next_block < block_text.size() && line >= block_text[next_block].first) {
        line = eol + 1;
        continue;
      }
      std::size_t i = skip_blanks(t, line);
      while (i + 1 <= eol && t[i] == '-' && blank_or_end(t, i + 1)) i = skip_blanks(t, i + 1);
      if (i < eol && !seen(i)) {
        if (t[i] == '?' && blank_or_end(t, i + 1)) explicit_key(i);
        else if (t[i] == '!' || t[i] == '&') property(i);
      }
      for (std::size_t k = line; k < eol; ++k) {
        if (t[k] == '{' || t[k] == '[' || t[k] == ',') {
          const std::size_t q = skip_blanks(t, k + 1);
          if (q < eol && t[q] == '?' && !seen(q)) explicit_key(q);
        } else if (t[k] == '"' && (k == line || blank(t[k - 1]) || t[k - 1] == '{' || t[k - 1] == ',') && !seen(k)) {
          std::size_t close = k + 1;
          while (close < eol && t[close] != '"') close += t[close] == '\\' ? 2 : 1;
          if (close >= eol) continue;
          const std::string_view body = t.substr(k + 1, close - k - 1);
          const std::size_t colon = skip_blanks(t, close + 1);
          if (body.find('\\') != std::string_view::npos && colon < t.size() && t[colon] == ':')
            add(k, KeyForm::escaped, decode_flow_scalar(body, true), value_after(t, colon, true), close + 1);
          k = close;
        }
      }
      line = eol + 1;
    }
  }

  void explicit_key(std::size_t q) {
    const std::size_t k = skip_blanks(t, q + 1);
    // The key's properties are skipped; a key that is not a scalar on this line is not decoded.
    std::size_t n = k;
    while (n < t.size() && (t[n] == '!' || t[n] == '&')) n = skip_blanks(t, token_end(t, n));
    Node node = node_at(n);
    std::optional<std::string> value;
    std::size_t colon = node.colon;
    if (colon == std::string_view::npos) {  // `? key` then `: value` on the next line
      std::size_t next = skip_blanks(t, node.end);
      if (next < t.size() && t[next] == '\n') {
        next = t.find_first_not_of(" \t\n", next);
        if (next != std::string_view::npos && t[next] == ':') colon = next;
      }
    }
    if (colon != std::string_view::npos) value = value_after(t, colon, flow > 0);
    add(q, KeyForm::explicit_key, node.text, std::move(value), std::max(node.end, q + 1));
  }

  // The properties (tags, anchors) from `p`, and the key they stand on if they do; returns the end
  // of the last property.
  std::size_t property(std::size_t p) {
    std::size_t n = p, last = p;
    bool other_tag = false;
    while (n < t.size() && (t[n] == '!' || t[n] == '&')) {
      last = token_end(t, n);
      const std::string_view token = t.substr(n, last - n);
      if (token[0] == '!' && token != "!!str" && token != "!<tag:yaml.org,2002:str>") other_tag = true;
      n = skip_blanks(t, last);
    }
    if (n < t.size() && (t[n] == '?' || t[n] == '*')) return last;  // the next token is reported by itself
    Node node = node_at(n);
    if (node.colon == std::string_view::npos) return last;  // a property on a value, or on a collection
    std::optional<std::string> key = other_tag ? std::nullopt : node.text;
    add(p, KeyForm::property, std::move(key), value_after(t, node.colon, flow > 0), node.end);
    return last;
  }
};

}  // namespace yaml_keys_detail

std::uint64_t LfText::original(std::uint64_t at) const {
  auto it = std::upper_bound(shifts.begin(), shifts.end(), std::make_pair(at, UINT64_MAX));
  return it == shifts.begin() ? at : at + std::prev(it)->second;
}

LfText normalise_line_breaks(std::string_view text) {
  LfText out;
  out.text.reserve(text.size());
  std::uint64_t removed = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t width = 0;
    if (c == '\r') width = i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
    else if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x85) width = 2;
    else if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
             (static_cast<unsigned char>(text[i + 2]) == 0xA8 || static_cast<unsigned char>(text[i + 2]) == 0xA9))
      width = 3;
    if (width == 0) {
      out.text += text[i];
      continue;
    }
    out.text += '\n';
    i += width - 1;
    if (width > 1) {
      removed += width - 1;
      out.shifts.emplace_back(out.text.size(), removed);
    }
  }
  return out;
}

std::vector<HiddenKey> hidden_keys(std::string_view lf_text) {
  yaml_keys_detail::Scanner s{lf_text, {}, 0, {}};
  s.run();
  s.backstop();
  return std::move(s.out);
}

bool may_be_key(const HiddenKey& key, std::string_view name) {
  // An explicit key is not modelled: a plain one may go on over the following lines.
  if (!key.key || key.form == KeyForm::explicit_key) return true;
  std::string squeezed;
  for (char c : *key.key)
    if (c != ' ' && c != '\t' && c != '\n') squeezed += c;
  return squeezed == name;
}

std::optional<std::string> decode_double_quoted(std::string_view body) {
  return yaml_keys_detail::decode_flow_scalar(body, true);
}

std::string decode_single_quoted(std::string_view body) {
  return *yaml_keys_detail::decode_flow_scalar(body, false);
}

}  // namespace modelgate::yaml
