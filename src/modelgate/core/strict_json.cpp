#include "core/strict_json.h"

#include "core/utf8.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <algorithm>
#include <unordered_set>

namespace modelgate {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Reader {
 public:
  Reader(std::string_view s, const JsonReadOptions& o) : s_(s), o_(o) {}

  Expected<JsonDocument> run() {
    JsonDocument doc;
    shallow_ = s_.size() > o_.full_dom_bytes;
    collect_ = shallow_ && o_.max_template_like_strings > 0;
    top_level_keys_ = &doc.top_level_keys;
    doc_ = &doc;
    skip_ws();
    if (!value(doc.value, 0, true)) return error_;
    skip_ws();
    if (pos_ != s_.size()) {
      fail("unexpected data after the JSON value");
      return error_;
    }
    doc.shallow = shallow_ && skipped_;
    return doc;
  }

 private:
  // The first error is the one reported; a syntax error or a nesting too deep leaves the rule to the caller.
  bool fail(std::string why, RuleId rule = {}) {
    if (error_.reason.empty()) error_ = parse_error(rule, pos_, std::move(why));
    return false;
  }
  // Counts one materialised value against the DOM bound.
  bool count_value() {
    if (++values_ <= o_.max_values) return true;
    return fail("more than " + std::to_string(o_.max_values) + " JSON values", "MG-LIMIT-EXCEEDED");
  }
  void skip_ws() {
    while (pos_ < s_.size() && is_ws(s_[pos_])) ++pos_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // `keep`: build the value; otherwise only validate it.
  bool value(nlohmann::json& out, std::size_t depth, bool keep) {
    if (depth > o_.max_depth)
      return fail("JSON nesting deeper than " + std::to_string(o_.max_depth) + " levels");
    if (pos_ >= s_.size()) return fail("unexpected end of JSON");
    if (keep && !count_value()) return false;
    if (!keep) ++validated_;
    char c = s_[pos_];
    if (c == '{') return object(out, depth, keep);
    if (c == '[') return array(out, depth, keep);
    if (c == '"') {
      std::size_t at = pos_;
      std::string str;
      if (!string(str, keep)) return false;
      if (keep) out = std::move(str);
      // Top-level scalars (depth 1) are read again into the DOM; deeper ones are not.
      else if (collect_ && depth >= 2) collect_if_template_like(at);
      return true;
    }
    if (literal("true")) {
      if (keep) out = true;
      return true;
    }
    if (literal("false")) {
      if (keep) out = false;
      return true;
    }
    if (literal("null")) {
      if (keep) out = nullptr;
      return true;
    }
    // Python's json module writes these for non-finite floats and reads them back.
    if (!o_.python_constants) return number_or_fail(out, keep);
    if (literal("NaN")) {
      if (keep) out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    if (literal("Infinity")) {
      if (keep) out = std::numeric_limits<double>::infinity();
      return true;
    }
    if (literal("-Infinity")) {
      if (keep) out = -std::numeric_limits<double>::infinity();
      return true;
    }
    return number_or_fail(out, keep);
  }

  bool number_or_fail(nlohmann::json& out, bool keep) {
    char c = s_[pos_];
    if (c == '-' || (c >= '0' && c <= '9')) return number(out, keep);
    return fail(std::string("unexpected character '") + (static_cast<unsigned char>(c) < 0x20 ? '?' : c) + "'");
  }

  bool object(nlohmann::json& out, std::size_t depth, bool keep) {
    ++pos_;
    if (keep) out = nlohmann::json::object();
    // Only when not building (the DOM detects duplicates): keys without escapes are compared as
    // views of the source (their bytes are their value); decoded keys are kept in `decoded`.
    // Sorting the keys once at the end is much cheaper than a hash set for large vocabularies.
    std::vector<std::string_view> seen;
    std::vector<std::unique_ptr<std::string>> decoded;
    std::size_t object_at = pos_ - 1;
    auto check_duplicates = [&] {
      if (seen.size() < 2) return true;
      std::sort(seen.begin(), seen.end());
      auto dup = std::adjacent_find(seen.begin(), seen.end());
      if (dup == seen.end()) return true;
      pos_ = object_at;
      return fail("duplicate key \"" + printable(*dup) +
                      "\" in the object starting here (loaders disagree on which value wins)",
                  o_.duplicate_key_rule);
    };
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a string key");
      std::size_t key_at = pos_;
      std::string key;
      std::string_view key_view;
      if (keep) {
        if (!string(key)) return false;
      } else {
        if (!string(key, false)) return false;
        std::string_view raw = s_.substr(key_at + 1, pos_ - key_at - 2);
        if (raw.find('\\') == std::string_view::npos) {
          key_view = raw;
        } else {
          std::size_t end = pos_;
          pos_ = key_at;
          decoded.push_back(std::make_unique<std::string>());
          if (!string(*decoded.back())) return false;
          pos_ = end;
          key_view = *decoded.back();
        }
      }
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':' after a key");
      ++pos_;
      skip_ws();
      if (!keep) seen.push_back(key_view);
      const bool visited = keep && depth == 0 && o_.member_visitor;
      if (keep && (visited ? !visited_keys_.insert(key).second : out.contains(key))) {
        pos_ = key_at;
        return fail("duplicate key \"" + printable(key) + "\" in an object (loaders disagree on which value wins)",
                    o_.duplicate_key_rule);
      }
      if (keep && depth == 0 && !visited) top_level_keys_->push_back({key, key_at});
      if (collect_) path_.push_back({keep ? std::string_view(key) : key_view, 0, false});
      bool keep_child = keep;
      if (keep && depth == 0 && shallow_ && !visited) {
        keep_child = false;
        for (const auto& k : o_.deep_keys)
          if (k == key) keep_child = true;
      }
      if (keep_child) {
        nlohmann::json child;
        if (!value(child, depth + 1, true)) return false;
        if (visited)
          o_.member_visitor(key, key_at, std::move(child));
        else
          out[key] = std::move(child);
      } else {
        nlohmann::json placeholder;
        std::size_t at = pos_;
        const std::size_t collected = collect_ ? doc_->template_like_strings.size() : 0;
        const bool truncated = collect_ && doc_->template_like_strings_truncated;
        const std::uint64_t validated = validated_;
        if (!value(placeholder, depth + 1, false)) return false;
        if (keep) {
          // Scalars are cheap and classification may need them, and so are small containers;
          // large containers stay empty.
          const char first = s_[at];
          if ((first == '{' || first == '[') && validated_ - validated > o_.small_container_values) {
            if (first == '{') out[key] = nlohmann::json::object();
            else out[key] = nlohmann::json::array();
            skipped_ = true;
          } else {
            if (collect_) {  // what was collected from it is in the DOM now
              doc_->template_like_strings.resize(collected);
              doc_->template_like_strings_truncated = truncated;
            }
            pos_ = at;
            if (!value(out[key], depth + 1, true)) return false;
          }
        }
      }
      if (collect_) path_.pop_back();
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return check_duplicates();
      }
      return fail("expected ',' or '}' in an object");
    }
  }

  bool array(nlohmann::json& out, std::size_t depth, bool keep) {
    ++pos_;
    if (keep) out = nlohmann::json::array();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (std::size_t index = 0;; ++index) {
      skip_ws();
      nlohmann::json child;
      if (collect_) path_.push_back({{}, index, true});
      if (!value(child, depth + 1, keep)) return false;
      if (collect_) path_.pop_back();
      if (keep) out.push_back(std::move(child));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or ']' in an array");
    }
  }

  bool number(nlohmann::json& out, bool keep) {
    std::size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      std::size_t b = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - b;
    };
    if (pos_ >= s_.size()) return fail("truncated number");
    if (s_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return fail("malformed number");
    }
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) return fail("malformed number: digits expected after '.'");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) return fail("malformed number: digits expected in the exponent");
    }
    if (!keep) return true;
    std::string_view text = s_.substr(start, pos_ - start);
    if (integral) {
      std::int64_t i = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), i);
      if (r.ec == std::errc() && r.ptr == text.data() + text.size()) {
        out = i;
        return true;
      }
      std::uint64_t u = 0;
      r = std::from_chars(text.data(), text.data() + text.size(), u);
      if (r.ec == std::errc() && r.ptr == text.data() + text.size()) {
        out = u;
        return true;
      }
    }
    double d = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), d);
    if (r.ec == std::errc::result_out_of_range) d = text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    out = d;
    return true;
  }

  bool hex4(std::uint32_t& out) {
    if (pos_ + 4 > s_.size()) return fail("truncated \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (v < 0) return fail("invalid \\u escape");
      out = out * 16 + static_cast<std::uint32_t>(v);
    }
    return true;
  }

  // Validates a string; appends the decoded text to `out` only when `build`.
  bool string(std::string& out, bool build = true) {
    ++pos_;  // opening quote
    for (;;) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("control character in a string");
      if (c == '\\') {
        ++pos_;
        if (pos_ >= s_.size()) return fail("unterminated string");
        char e = s_[pos_++];
        switch (e) {
          case '"': if (build) out += '"'; break;
          case '\\': if (build) out += '\\'; break;
          case '/': if (build) out += '/'; break;
          case 'b': if (build) out += '\b'; break;
          case 'f': if (build) out += '\f'; break;
          case 'n': if (build) out += '\n'; break;
          case 'r': if (build) out += '\r'; break;
          case 't': if (build) out += '\t'; break;
          case 'u': {
            std::uint32_t cp = 0;
            if (!hex4(cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in a \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              std::uint32_t lo = 0;
              if (s_.substr(pos_, 2) != "\\u") return fail("lone high surrogate in a \\u escape");
              pos_ += 2;
              if (!hex4(lo)) return false;
              if (lo < 0xDC00 || lo > 0xDFFF) return fail("high surrogate not followed by a low surrogate");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (build) append_utf8(out, cp);
            break;
          }
          default: --pos_; return fail("invalid escape in a string");
        }
        continue;
      }
      if (c < 0x80) {
        if (build) out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len == 0 || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4) || pos_ + len > s_.size())
        return fail("invalid UTF-8 in a string");
      std::uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
      for (std::size_t k = 1; k < len; ++k) {
        auto b = static_cast<unsigned char>(s_[pos_ + k]);
        if ((b & 0xC0) != 0x80) return fail("invalid UTF-8 in a string");
        cp = (cp << 6) | (b & 0x3F);
      }
      if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
          (cp >= 0xD800 && cp <= 0xDFFF))
        return fail("invalid UTF-8 in a string (overlong or surrogate)");
      if (build) out.append(s_.substr(pos_, len));
      pos_ += len;
    }
  }

  // A string value starting at `at` that was validated but not kept: decoded and collected when it
  // contains a Jinja delimiter. Only strings with '{' or an escape can contain one after decoding.
  void collect_if_template_like(std::size_t at) {
    std::string_view raw = s_.substr(at, pos_ - at);
    if (raw.find('{') == std::string_view::npos && raw.find('\\') == std::string_view::npos) return;
    std::size_t end = pos_;
    std::string text;
    pos_ = at;
    string(text);  // already validated
    pos_ = end;
    if (text.find("{{") == std::string::npos && text.find("{%") == std::string::npos) return;
    if (doc_->template_like_strings.size() >= o_.max_template_like_strings) {
      doc_->template_like_strings_truncated = true;
      return;
    }
    std::string path;
    for (const auto& seg : path_) {
      if (seg.is_index) path += "[" + std::to_string(seg.index) + "]";
      else path += (path.empty() ? "" : ".") + std::string(seg.key);
    }
    doc_->template_like_strings.push_back({std::move(path), std::move(text)});
  }

  // A key for a message: at most 80 bytes, control characters replaced.
  static std::string printable(std::string_view key) {
    std::string out;
    for (unsigned char c : key.substr(0, 80)) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    if (key.size() > 80) out += "...";
    return out;
  }

  std::string_view s_;
  const JsonReadOptions& o_;
  std::size_t pos_ = 0;
  struct PathSegment {
    std::string_view key;
    std::size_t index;
    bool is_index;
  };
  bool shallow_ = false;
  bool skipped_ = false;
  bool collect_ = false;                // collecting template-like strings (shallow reads only)
  std::uint64_t validated_ = 0;         // values validated and not materialised
  std::vector<PathSegment> path_;       // where the value being read is, while collecting
  JsonDocument* doc_ = nullptr;
  std::uint64_t values_ = 0;
  std::vector<JsonKeyOffset>* top_level_keys_ = nullptr;
  std::unordered_set<std::string> visited_keys_;  // the top-level keys handed to a member visitor
  Error error_;
};

}  // namespace

Expected<JsonDocument> read_strict_json(std::string_view text, const JsonReadOptions& options) {
  return Reader(text, options).run();
}

bool looks_like_json(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_ws(text[i])) ++i;
  if (i >= text.size()) return false;
  char open = text[i++];
  if (open != '{' && open != '[') return false;
  while (i < text.size() && is_ws(text[i])) ++i;
  if (i >= text.size()) return false;
  char next = text[i];
  if (open == '{') return next == '"' || next == '}';
  return next == '{' || next == '[' || next == '"' || next == ']' || next == '-' || (next >= '0' && next <= '9');
}

}  // namespace modelgate
