#include "hf/front_matter.h"

#include <vector>

#include "core/utf8.h"

namespace modelgate {

namespace {


struct Line {
  std::size_t offset;
  std::size_t raw;  // index among all lines
  std::size_t indent;
  std::string_view text;  // without indentation and trailing whitespace
};

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
std::string_view trim(std::string_view s) {
  s = rtrim(s);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// The escape at v[k] ('\\') of a double-quoted scalar, decoded as YAML 1.1/1.2 decodes it
// (so that a key spelled with escapes is the key a YAML loader sees); k ends on its last byte.
bool yaml_escape(std::string_view v, std::size_t& k, std::string& out) {
  if (k + 1 >= v.size()) return false;
  char e = v[++k];
  static constexpr char kFromChars[] = "0abtnvfre \"/\\\t";
  static constexpr char kToChars[] = "\0\a\b\t\n\v\f\r\x1b \"/\\\t";
  static_assert(sizeof kFromChars == sizeof kToChars);
  constexpr std::string_view kFrom(kFromChars, sizeof kFromChars - 1), kTo(kToChars, sizeof kToChars - 1);
  if (std::size_t i = kFrom.find(e); i != std::string_view::npos) {
    out += kTo[i];
    return true;
  }
  std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
  std::uint32_t cp = e == 'N' ? 0x85 : e == '_' ? 0xA0 : e == 'L' ? 0x2028 : e == 'P' ? 0x2029 : 0;
  if (digits == 0 && cp == 0) return false;
  if (digits > 0) {
    if (k + digits >= v.size()) return false;
    for (std::size_t d = 0; d < digits; ++d) {
      char c = v[++k];
      int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (x < 0) return false;
      cp = cp * 16 + static_cast<std::uint32_t>(x);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  }
  append_utf8(out, cp);
  return true;
}

class Parser {
 public:
  Parser(std::vector<Line> lines, std::vector<Line> raw, std::size_t max_depth)
      : lines_(std::move(lines)), raw_(std::move(raw)), max_depth_(max_depth) {}

  Expected<nlohmann::json> run() {
    nlohmann::json root = nlohmann::json::object();
    if (!lines_.empty()) {
      if (lines_[0].indent != 0) return parse_error(lines_[0].offset, "front matter starts indented");
      if (!block(root, 0, 0)) return parse_error(err_at_, err_);
      if (i_ < lines_.size()) return parse_error(lines_[i_].offset, "unexpected indentation");
    }
    if (!root.is_object()) return parse_error(0, "front matter is not a mapping");
    return root;
  }

 private:
  bool fail(std::size_t at, std::string why) {
    if (err_.empty()) {
      err_ = std::move(why);
      err_at_ = at;
    }
    return false;
  }

  static bool is_item(std::string_view t) { return t == "-" || t.substr(0, 2) == "- "; }

  // Splits "key: value" (key plain or quoted). Returns false when the line is not a mapping entry.
  bool split_key(std::string_view t, std::string& key, std::string_view& rest) {
    if (t.empty()) return false;
    std::size_t colon;
    if (t[0] == '"' || t[0] == '\'') {
      std::size_t close = quoted_end(t);
      if (close == std::string_view::npos) return false;
      key.clear();
      for (std::size_t k = 1; k < close; ++k) {
        if (t[0] == '"' && t[k] == '\\') {
          if (!yaml_escape(t, k, key)) return false;
        } else {
          key += t[k];
          if (t[0] == '\'' && t[k] == '\'') ++k;  // '' inside single quotes
        }
      }
      colon = close + 1;
      if (colon >= t.size() || t[colon] != ':') return false;
    } else {
      // PyYAML ends a plain key at the first ':' before a blank (a space or a tab) or the line's end.
      colon = std::string_view::npos;
      for (std::size_t k = 0; k < t.size(); ++k)
        if (t[k] == ':' && (k + 1 == t.size() || t[k + 1] == ' ' || t[k + 1] == '\t')) {
          colon = k;
          break;
        }
      if (colon == std::string_view::npos) return false;
      key = std::string(trim(t.substr(0, colon)));
      // A key that starts with an indicator is not a plain scalar: a tag or an anchor on the key
      // (`!!str target:`, `&a target:`), an alias (`*k :`), an explicit key (`? k`), a flow
      // collection, a reserved character. The subset does not model them; the file is not read.
      static constexpr std::string_view kIndicators = ",[]{}#&*!|>'\"%@`";
      if (key.empty() || kIndicators.find(key[0]) != std::string_view::npos) return false;
      if ((key[0] == '?' || key[0] == ':' || key[0] == '-') && (key.size() == 1 || key[1] == ' ' || key[1] == '\t'))
        return false;
      if (key.find(" #") != std::string::npos || key.find("\t#") != std::string::npos) return false;  // a comment
    }
    rest = trim(t.substr(colon + 1));
    return true;
  }

  bool scalar(std::string_view v, std::size_t at, nlohmann::json& out) {
    if (v.empty()) {
      out = nullptr;
      return true;
    }
    if (v[0] == '"') {
      std::string s;
      std::size_t k = 1;
      for (; k < v.size() && v[k] != '"'; ++k) {
        if (v[k] != '\\') {
          s += v[k];
          continue;
        }
        if (!yaml_escape(v, k, s)) return fail(at, "unsupported escape in a double-quoted scalar");
      }
      if (k >= v.size()) return fail(at, "unterminated double-quoted scalar");
      if (!comment_or_end(v.substr(k + 1))) return fail(at, "text after a quoted scalar");
      out = s;
      return true;
    }
    if (v[0] == '\'') {
      std::string s;
      std::size_t k = 1;
      for (; k < v.size(); ++k) {
        if (v[k] == '\'') {
          if (k + 1 < v.size() && v[k + 1] == '\'') {
            s += '\'';
            ++k;
            continue;
          }
          break;
        }
        s += v[k];
      }
      if (k >= v.size()) return fail(at, "unterminated single-quoted scalar");
      if (!comment_or_end(v.substr(k + 1))) return fail(at, "text after a quoted scalar");
      out = s;
      return true;
    }
    if (v[0] == '[') return flow_list(v, at, out);
    if (v[0] == '{') {
      if (v == "{}") {
        out = nlohmann::json::object();
        return true;
      }
      return fail(at, "flow mappings are not supported in front matter");
    }
    if (v[0] == '&' || v[0] == '*' || v[0] == '!' || v[0] == '%' || v[0] == '@' || v[0] == '`' || v[0] == '|' ||
        v[0] == '>')
      return fail(at, std::string("unsupported YAML feature starting with '") + v[0] + "'");
    if ((v[0] == '?' || v[0] == '-' || v[0] == ':') && (v.size() == 1 || v[1] == ' ' || v[1] == '\t'))
      return fail(at, std::string("unsupported YAML indicator '") + v[0] + "' (an explicit key or a nested collection)");
    std::size_t hash = v.find(" #");
    out = std::string(trim(v.substr(0, hash)));
    return true;
  }

  // Index of the quote that closes the quoted scalar opening `t`, or npos.
  static std::size_t quoted_end(std::string_view t) {
    for (std::size_t k = 1; k < t.size(); ++k) {
      if (t[0] == '"' && t[k] == '\\') ++k;
      else if (t[0] == '\'' && t[k] == '\'' && k + 1 < t.size() && t[k + 1] == '\'') ++k;
      else if (t[k] == t[0]) return k;
    }
    return std::string_view::npos;
  }

  static bool comment_or_end(std::string_view rest) {
    rest = trim(rest);
    return rest.empty() || rest[0] == '#';
  }

  bool flow_list(std::string_view v, std::size_t at, nlohmann::json& out) {
    std::size_t close = v.rfind(']');
    if (close == std::string_view::npos || !comment_or_end(v.substr(close + 1)))
      return fail(at, "unterminated flow sequence");
    out = nlohmann::json::array();
    std::string_view body = trim(v.substr(1, close - 1));
    while (!body.empty()) {
      std::size_t end;
      if (body[0] == '"' || body[0] == '\'') {
        end = body.find(body[0], 1);
        if (end == std::string_view::npos) return fail(at, "unterminated quoted item in a flow sequence");
        end = body.find(',', end);
      } else {
        if (body[0] == '[' || body[0] == '{') return fail(at, "nested flow collections are not supported");
        end = body.find(',');
      }
      nlohmann::json item;
      if (!scalar(trim(body.substr(0, end)), at, item)) return false;
      out.push_back(std::move(item));
      if (end == std::string_view::npos) break;
      body = trim(body.substr(end + 1));
    }
    return true;
  }

  // A block scalar (| or >) on line `entry`: the following lines indented deeper than `indent`.
  void block_scalar(std::size_t indent, bool folded, std::size_t entry, nlohmann::json& out) {
    std::string s;
    std::size_t r = entry + 1;
    for (; r < raw_.size(); ++r) {
      if (raw_[r].text.empty()) {
        s += '\n';
        continue;
      }
      if (raw_[r].indent <= indent) break;
      s += std::string(raw_[r].text);
      s += folded ? ' ' : '\n';
    }
    out = s;
    while (i_ < lines_.size() && lines_[i_].raw < r) ++i_;
  }

  // Value of an entry whose inline part is `rest`, owned by a line at `indent`.
  bool entry_value(std::string_view rest, std::size_t indent, const Line& line, std::size_t depth,
                   nlohmann::json& out) {
    std::size_t at = line.offset;
    if (rest == "|" || rest == "|-" || rest == "|+" || rest == ">" || rest == ">-" || rest == ">+") {
      block_scalar(indent, rest[0] == '>', line.raw, out);
      return true;
    }
    if (!rest.empty() && rest[0] != '#') return scalar(rest, at, out);
    if (i_ < lines_.size() && (lines_[i_].indent > indent || (lines_[i_].indent == indent && is_item(lines_[i_].text))))
      return block(out, lines_[i_].indent, depth + 1);
    out = nullptr;
    return true;
  }

  bool block(nlohmann::json& out, std::size_t indent, std::size_t depth) {
    if (depth > max_depth_) return fail(lines_[i_].offset, "front matter nested deeper than max_front_matter_depth");
    bool seq = is_item(lines_[i_].text);
    out = seq ? nlohmann::json::array() : nlohmann::json::object();
    while (i_ < lines_.size() && lines_[i_].indent == indent && is_item(lines_[i_].text) == seq) {
      const Line& l = lines_[i_];
      ++i_;
      if (seq) {
        std::string_view rest = trim(l.text.substr(1));
        std::string key;
        std::string_view kv;
        nlohmann::json item;
        if (!rest.empty() && rest[0] != '"' && rest[0] != '\'' && rest[0] != '[' && split_key(rest, key, kv)) {
          // "- key: value" opens a mapping whose other keys sit at the column of "key".
          std::size_t inner = indent + static_cast<std::size_t>(rest.data() - l.text.data());
          item = nlohmann::json::object();
          nlohmann::json first;
          if (!entry_value(kv, inner, l, depth, first)) return false;
          item[key] = std::move(first);
          if (i_ < lines_.size() && lines_[i_].indent == inner && !is_item(lines_[i_].text)) {
            nlohmann::json more;
            if (!block(more, inner, depth + 1)) return false;
            for (auto& [k, v] : more.items()) {
              if (item.contains(k)) return fail(l.offset, "duplicate key '" + k + "'");
              item[k] = v;
            }
          }
        } else if (!entry_value(rest, indent, l, depth, item)) {
          return false;
        }
        out.push_back(std::move(item));
      } else {
        std::string key;
        std::string_view rest;
        if (!split_key(l.text, key, rest)) return fail(l.offset, "expected 'key: value'");
        if (out.contains(key)) return fail(l.offset, "duplicate key '" + key + "'");
        nlohmann::json v;
        if (!entry_value(rest, indent, l, depth, v)) return false;
        out[key] = std::move(v);
      }
    }
    if (i_ < lines_.size() && lines_[i_].indent > indent)
      return fail(lines_[i_].offset, "unexpected indentation");
    return true;
  }

  std::vector<Line> lines_;  // significant lines
  std::vector<Line> raw_;    // every line, for block scalars
  std::size_t max_depth_;
  std::size_t i_ = 0;
  std::string err_;
  std::size_t err_at_ = 0;
};

}  // namespace

bool has_front_matter(std::string_view text) {
  return text.substr(0, 4) == "---\n" || text.substr(0, 5) == "---\r\n";
}

namespace {

// Reads lines from `p` up to a "---" or "..." line (`closed` tells whether one was found) and
// parses them with the subset.
Expected<nlohmann::json> parse_yaml_lines(std::string_view text, std::size_t p, const Limits& limits, bool& closed) {
  std::vector<Line> lines, raw;
  closed = false;
  while (p < text.size()) {
    if (raw.size() > limits.max_front_matter_lines) return parse_error(p, "YAML has more lines than max_front_matter_lines");
    std::size_t nl = text.find('\n', p);
    std::string_view full = text.substr(p, nl == std::string_view::npos ? std::string_view::npos : nl - p);
    std::string_view t = rtrim(full);
    if (t == "---" || t == "...") {
      closed = true;
      break;
    }
    std::size_t indent = 0;
    while (indent < t.size() && t[indent] == ' ') ++indent;
    if (indent < t.size() && t[indent] == '\t') return parse_error(p, "tab used for indentation");
    Line l{p, raw.size(), indent, t.substr(indent)};
    raw.push_back(l);
    if (!l.text.empty() && l.text[0] != '#') lines.push_back(l);
    if (nl == std::string_view::npos) break;
    p = nl + 1;
  }
  return Parser(std::move(lines), std::move(raw), limits.max_front_matter_depth).run();
}

}  // namespace

Expected<nlohmann::json> parse_front_matter(std::string_view text, const Limits& limits) {
  if (!has_front_matter(text)) return parse_error(0, "no front matter");
  bool closed = false;
  auto doc = parse_yaml_lines(text, text.find('\n') + 1, limits, closed);
  if (doc && !closed) return parse_error(0, "front matter is not closed by a '---' line");
  return doc;
}

std::optional<std::string> decode_yaml_double_quoted(std::string_view body) {
  std::string out;
  for (std::size_t k = 0; k < body.size(); ++k) {
    if (body[k] != '\\') out += body[k];
    else if (!yaml_escape(body, k, out)) return std::nullopt;
  }
  return out;
}

Expected<nlohmann::json> parse_yaml_document(std::string_view text, const Limits& limits) {
  std::size_t start = has_front_matter(text) ? text.find('\n') + 1 : 0;  // an explicit document start
  bool closed = false;
  auto doc = parse_yaml_lines(text, start, limits, closed);
  if (doc && closed) return parse_error(0, "more than one YAML document, or a document end marker");
  return doc;
}

}  // namespace modelgate
