#include "readers/yaml_tags.h"

#include <map>
#include <utility>

namespace modelgate::yaml {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Where a node property, a quoted scalar or a comment may begin: not inside a plain scalar.
bool at_token_start(std::string_view text, std::size_t i) {
  if (i == 0) return true;
  const char p = text[i - 1];
  return is_space(p) || p == '[' || p == '{' || p == ',';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// PyYAML's URI characters end at whitespace; %XX escapes are decoded (scan_tag_uri).
std::string decode_uri(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 && hex_value(raw[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

std::size_t token_end(std::string_view text, std::size_t i) {
  while (i < text.size() && !is_space(text[i])) ++i;
  return i;
}

// Every prefix a handle was given anywhere in the text (a handle defined differently in two
// documents resolves both ways), with PyYAML's defaults.
using Handles = std::multimap<std::string, std::string, std::less<>>;

Handles tag_directives(std::string_view text) {
  Handles handles{{"!", "!"}, {"!!", "tag:yaml.org,2002:"}};
  for (std::size_t line = 0; line < text.size();) {
    std::size_t next = text.find('\n', line);
    if (next == std::string_view::npos) next = text.size();
    std::string_view l = text.substr(line, next - line);
    if (l.substr(0, 4) == "%TAG" && l.size() > 4 && is_space(l[4])) {
      std::size_t h = 4;
      while (h < l.size() && is_space(l[h])) ++h;
      const std::size_t h_end = token_end(l, h);
      std::size_t p = h_end;
      while (p < l.size() && is_space(l[p])) ++p;
      const std::size_t p_end = token_end(l, p);
      if (h < h_end && p < p_end) handles.emplace(std::string(l.substr(h, h_end - h)), decode_uri(l.substr(p, p_end - p)));
    }
    line = next + 1;
  }
  return handles;
}

// The tag token at `i` (text[i] == '!'), resolved every way the handles allow.
void resolve(std::string_view text, std::size_t i, const Handles& handles, std::vector<Tag>& out) {
  const std::size_t end = token_end(text, i);
  std::string_view token = text.substr(i, end - i);
  if (token.size() >= 2 && token[1] == '<') {  // verbatim: !<uri>
    const std::size_t close = token.find('>');
    out.push_back({i, decode_uri(token.substr(2, close == std::string_view::npos ? std::string_view::npos : close - 2))});
    return;
  }
  std::string_view handle = "!", suffix = token.substr(1);
  if (const std::size_t second = token.find('!', 1); second != std::string_view::npos) {
    handle = token.substr(0, second + 1);
    suffix = token.substr(second + 1);
  }
  if (suffix.empty()) return;  // "!" alone: the non-specific tag
  const std::string decoded = decode_uri(suffix);
  auto [first, last] = handles.equal_range(handle);
  for (auto it = first; it != last; ++it) out.push_back({i, it->second + decoded});
}

}  // namespace

std::vector<Tag> find_tags(std::string_view text) {
  const Handles handles = tag_directives(text);
  std::vector<Tag> tags;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && (i == 0 || text[i - 1] == '\n')) {  // a directive line
      i = text.find('\n', i);
      if (i == std::string_view::npos) break;
      continue;
    }
    if (!at_token_start(text, i)) continue;
    if (c == '#') {
      i = text.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (c == '\'') {  // single-quoted: '' is a quote
      for (++i; i < text.size(); ++i)
        if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') ++i;
          else break;
        }
    } else if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (c == '!') {
      resolve(text, i, handles, tags);
      i = token_end(text, i);
    }
  }
  return tags;
}

std::vector<Tag> python_tags(std::string_view text) {
  std::vector<Tag> out;
  for (Tag& t : find_tags(text))
    if (std::string_view(t.resolved).substr(0, kPythonTagPrefix.size()) == kPythonTagPrefix) out.push_back(std::move(t));
  return out;
}

bool has_python_tags(std::string_view text) {
  if (text.find('!') == std::string_view::npos) return false;  // no tag at all: the common case
  return !python_tags(text).empty();
}

}  // namespace modelgate::yaml
