#include "template/lexer.h"

#include "core/utf8.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <optional>

namespace modelgate::jinja {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string upper_ascii(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

// Characters an attacker could use to spell identifiers through \N{...}. Anything else stays
// opaque and is reported by the analysis.
bool named_char(std::string_view name, std::uint32_t& cp) {
  std::string n = upper_ascii(name);
  if (n == "LOW LINE") { cp = '_'; return true; }
  if (n == "FULL STOP") { cp = '.'; return true; }
  if (n == "SPACE") { cp = ' '; return true; }
  if (n.rfind("LATIN SMALL LETTER ", 0) == 0 && n.size() == 20 && n[19] >= 'A' && n[19] <= 'Z') {
    cp = static_cast<std::uint32_t>(n[19] - 'A' + 'a');
    return true;
  }
  if (n.rfind("LATIN CAPITAL LETTER ", 0) == 0 && n.size() == 22 && n[21] >= 'A' && n[21] <= 'Z') {
    cp = static_cast<std::uint32_t>(n[21]);
    return true;
  }
  return false;
}

// Jinja decodes a string literal with Python's "unicode-escape" codec after normalising
// newlines; this mirrors it. An error at the escape (its offset in `body`) that Python rejects.
std::optional<Error> decode_string(std::string_view body, std::string& out, bool& opaque) {
  out.clear();
  for (std::size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == '\r') {  // newline normalisation: \r\n and \r become \n
      out += '\n';
      i += (i + 1 < body.size() && body[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    const std::size_t escape_at = i;
    if (i + 1 >= body.size()) return parse_error(escape_at, "string ends with a backslash");
    char e = body[i + 1];
    i += 2;
    switch (e) {
      case '\n': break;
      case '\r': if (i < body.size() && body[i] == '\n') ++i; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': case 'u': case 'U': {
        std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + digits > body.size()) return parse_error(escape_at, "truncated \\" + std::string(1, e) + " escape");
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < digits; ++k) {
          int h = hex_value(body[i + k]);
          if (h < 0) return parse_error(escape_at, "invalid \\" + std::string(1, e) + " escape");
          cp = cp * 16 + static_cast<std::uint32_t>(h);
        }
        if (cp > 0x10FFFF) return parse_error(escape_at, "\\U escape beyond U+10FFFF");
        i += digits;
        append_utf8(out, cp);
        break;
      }
      case 'N': {
        if (i >= body.size() || body[i] != '{') return parse_error(escape_at, "malformed \\N escape");
        std::size_t close = body.find('}', i);
        if (close == std::string_view::npos) return parse_error(escape_at, "malformed \\N escape");
        std::uint32_t cp = 0;
        if (named_char(body.substr(i + 1, close - i - 1), cp)) {
          append_utf8(out, cp);
        } else {
          opaque = true;
          append_utf8(out, 0xFFFD);
        }
        i = close + 1;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
          for (int k = 0; k < 2 && i < body.size() && body[i] >= '0' && body[i] <= '7'; ++k, ++i)
            cp = cp * 8 + static_cast<std::uint32_t>(body[i] - '0');
          append_utf8(out, cp);
        } else {
          out += '\\';  // unknown escapes are kept verbatim
          out += e;
        }
    }
  }
  return std::nullopt;
}

class Lexer {
 public:
  Lexer(std::string_view src, std::size_t max_tokens) : s_(src), max_tokens_(max_tokens) {}

  Expected<std::vector<Token>> run() {
    tokens_.reserve(std::min(s_.size() / 4 + 1, max_tokens_));
    while (pos_ < s_.size() && ok()) lex_data();
    if (ok()) push(TokKind::eof, static_cast<std::uint32_t>(s_.size()), {});
    if (error_) return std::move(*error_);
    return std::move(tokens_);
  }

 private:
  bool starts(std::size_t at, std::string_view what) const {
    return at <= s_.size() && s_.substr(at).substr(0, what.size()) == what;
  }

  bool ok() const { return !error_; }
  void fail(std::size_t at, std::string reason, RuleId rule = "MG-TEMPLATE-SYNTAX") {
    if (error_) return;
    error_ = parse_error(rule, static_cast<std::uint32_t>(at), std::move(reason));
  }

  bool push(TokKind k, std::uint32_t at, std::string value) {
    if (tokens_.size() >= max_tokens_) {
      fail(at, "template has more than " + std::to_string(max_tokens_) + " tokens", "MG-LIMIT-EXCEEDED");
      return false;
    }
    Token t;
    t.kind = k;
    t.offset = at;
    t.value = std::move(value);
    tokens_.push_back(std::move(t));
    return true;
  }

  // `{%[-+]?\s*WORD\s*[-+]?%}` at `at`; returns the end offset or npos.
  std::size_t match_word_tag(std::size_t at, std::string_view word) const {
    if (!starts(at, "{%")) return std::string_view::npos;
    std::size_t p = at + 2;
    if (p < s_.size() && (s_[p] == '-' || s_[p] == '+')) ++p;
    while (p < s_.size() && is_space(s_[p])) ++p;
    if (!starts(p, word)) return std::string_view::npos;
    p += word.size();
    if (p < s_.size() && is_name_char(s_[p])) return std::string_view::npos;
    while (p < s_.size() && is_space(s_[p])) ++p;
    if (p < s_.size() && (s_[p] == '-' || s_[p] == '+')) ++p;
    if (!starts(p, "%}")) return std::string_view::npos;
    return p + 2;
  }

  void lex_data() {
    std::size_t tag = pos_;
    for (;;) {
      tag = s_.find('{', tag);
      if (tag == std::string_view::npos || tag + 1 >= s_.size()) {
        tag = std::string_view::npos;
        break;
      }
      char n = s_[tag + 1];
      if (n == '{' || n == '%' || n == '#') break;
      ++tag;
    }
    std::size_t text_end = tag == std::string_view::npos ? s_.size() : tag;
    if (text_end > pos_ &&
        !push(TokKind::text, static_cast<std::uint32_t>(pos_), std::string(s_.substr(pos_, text_end - pos_))))
      return;
    pos_ = text_end;
    if (tag == std::string_view::npos) return;
    char kind = s_[tag + 1];
    if (kind == '#') {
      std::size_t end = s_.find("#}", tag + 2);
      if (end == std::string_view::npos) return fail(tag, "unterminated comment");
      pos_ = end + 2;
      return;
    }
    if (kind == '%') {
      std::size_t raw_end = match_word_tag(tag, "raw");
      if (raw_end != std::string_view::npos) return lex_raw(tag, raw_end);
      if (!push(TokKind::block_begin, static_cast<std::uint32_t>(tag), "{%")) return;
      pos_ = tag + 2;
      if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) ++pos_;
      return lex_tag(false, tag);
    }
    if (!push(TokKind::var_begin, static_cast<std::uint32_t>(tag), "{{")) return;
    pos_ = tag + 2;
    if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) ++pos_;
    lex_tag(true, tag);
  }

  void lex_raw(std::size_t tag, std::size_t body) {
    for (std::size_t p = s_.find("{%", body); p != std::string_view::npos; p = s_.find("{%", p + 1)) {
      std::size_t end = match_word_tag(p, "endraw");
      if (end == std::string_view::npos) continue;
      if (p > body && !push(TokKind::text, static_cast<std::uint32_t>(body), std::string(s_.substr(body, p - body))))
        return;
      pos_ = end;
      return;
    }
    fail(tag, "{% raw %} without {% endraw %}");
  }

  // Tokens inside {{ }} or {% %} up to the matching end marker.
  void lex_tag(bool variable, std::size_t tag_start) {
    std::vector<char> brackets;
    while (ok()) {
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      if (pos_ >= s_.size())
        return fail(tag_start, variable ? "unterminated '{{' (missing '}}')" : "unterminated '{%' (missing '%}')");
      if (brackets.empty()) {
        std::size_t end = std::string_view::npos;
        if (variable) {
          if (starts(pos_, "-}}")) end = pos_ + 3;
          else if (starts(pos_, "}}")) end = pos_ + 2;
        } else {
          if (starts(pos_, "-%}") || starts(pos_, "+%}")) end = pos_ + 3;
          else if (starts(pos_, "%}")) end = pos_ + 2;
        }
        if (end != std::string_view::npos) {
          push(variable ? TokKind::var_end : TokKind::block_end, static_cast<std::uint32_t>(pos_),
               variable ? "}}" : "%}");
          pos_ = end;
          return;
        }
      }
      char c = s_[pos_];
      std::size_t at = pos_;
      if (is_name_start(c)) {
        while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
        push(TokKind::name, static_cast<std::uint32_t>(at), std::string(s_.substr(at, pos_ - at)));
      } else if (is_digit(c)) {
        lex_number();
      } else if (c == '\'' || c == '"') {
        lex_string();
      } else {
        lex_operator(brackets);
      }
    }
  }

  void lex_number() {
    std::size_t at = pos_;
    auto digits = [&](auto pred) {
      std::size_t start = pos_;
      while (pos_ < s_.size() && (pred(s_[pos_]) || (s_[pos_] == '_' && pos_ + 1 < s_.size() && pred(s_[pos_ + 1]) && pos_ > start)))
        ++pos_;
      return pos_ > start;
    };
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() && std::string_view("xXoObB").find(s_[pos_ + 1]) != std::string_view::npos) {
      char base = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[pos_ + 1])));
      pos_ += 2;
      if (pos_ < s_.size() && s_[pos_] == '_') ++pos_;
      bool any = base == 'x' ? digits([](char ch) { return hex_value(ch) >= 0; })
               : base == 'o' ? digits([](char ch) { return ch >= '0' && ch <= '7'; })
                             : digits([](char ch) { return ch == '0' || ch == '1'; });
      if (!any) return fail(at, "malformed integer literal");
      finish_integer(at, base == 'x' ? 16 : base == 'o' ? 8 : 2);
      return;
    }
    digits(is_digit);
    bool is_float = false;
    // Like Jinja, no float directly after '.', so that x.0.1 is two subscripts.
    bool after_dot = at > 0 && s_[at - 1] == '.';
    if (!after_dot && pos_ + 1 < s_.size() && s_[pos_] == '.' && is_digit(s_[pos_ + 1])) {
      ++pos_;
      digits(is_digit);
      is_float = true;
    }
    if (!after_dot && pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      std::size_t save = pos_;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits(is_digit)) is_float = true;
      else pos_ = save;
    }
    if (is_float) {
      push(TokKind::floating, static_cast<std::uint32_t>(at), std::string(s_.substr(at, pos_ - at)));
      return;
    }
    finish_integer(at, 10);
  }

  void finish_integer(std::size_t at, int base) {
    std::string_view text = s_.substr(at, pos_ - at);
    std::string digits;
    std::size_t skip = base == 10 ? 0 : 2;
    for (std::size_t i = skip; i < text.size(); ++i)
      if (text[i] != '_') digits += text[i];
    std::int64_t v = 0;
    bool fits = true;
    for (char ch : digits) {
      int d = hex_value(ch);
      if (v > (INT64_MAX - d) / base) {
        fits = false;
        break;
      }
      v = v * base + d;
    }
    if (!push(TokKind::integer, static_cast<std::uint32_t>(at), digits)) return;
    tokens_.back().int_value = fits ? v : 0;
    tokens_.back().int_fits = fits;
  }

  void lex_string() {
    std::size_t at = pos_;
    char quote = s_[pos_++];
    std::size_t body = pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\') ++pos_;
      ++pos_;
    }
    if (pos_ >= s_.size()) return fail(at, "unterminated string literal");
    std::string decoded;
    bool opaque = false;
    if (auto rejected = decode_string(s_.substr(body, pos_ - body), decoded, opaque))
      return fail(body + rejected->offset, rejected->reason);
    ++pos_;
    if (!push(TokKind::string, static_cast<std::uint32_t>(at), std::move(decoded))) return;
    tokens_.back().opaque = opaque;
  }

  void lex_operator(std::vector<char>& brackets) {
    static constexpr std::string_view two[] = {"//", "**", "==", "!=", ">=", "<="};
    std::size_t at = pos_;
    for (auto op : two) {
      if (starts(pos_, op)) {
        pos_ += 2;
        push(TokKind::op, static_cast<std::uint32_t>(at), std::string(op));
        return;
      }
    }
    char c = s_[pos_];
    static constexpr std::string_view one = "+-/*%~[](){}><=.:|,;";
    if (one.find(c) == std::string_view::npos) {
      if (static_cast<unsigned char>(c) >= 0x80)
        return fail(at, "non-ASCII character in a tag (identifiers must be ASCII)");
      return fail(at, std::string("unexpected character '") + c + "' in a tag");
    }
    if (c == '(' || c == '[' || c == '{') {
      if (brackets.size() >= 256) return fail(at, "brackets nested deeper than 256", "MG-LIMIT-EXCEEDED");
      brackets.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets.empty()) return fail(at, std::string("unexpected '") + c + "'");
      if (brackets.back() != c)
        return fail(at, std::string("unexpected '") + c + "', expected '" + brackets.back() + "'");
      brackets.pop_back();
    }
    ++pos_;
    push(TokKind::op, static_cast<std::uint32_t>(at), std::string(1, c));
  }

  std::string_view s_;
  std::size_t max_tokens_;
  std::size_t pos_ = 0;
  std::vector<Token> tokens_;
  std::optional<Error> error_;  // the first error; lexing stops there
};

}  // namespace

Expected<std::vector<Token>> lex(std::string_view source, std::size_t max_tokens) { return Lexer(source, max_tokens).run(); }

void line_col(std::string_view source, std::size_t offset, std::size_t& line, std::size_t& col) {
  line = 1;
  col = 1;
  for (std::size_t i = 0; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
}

}  // namespace modelgate::jinja
