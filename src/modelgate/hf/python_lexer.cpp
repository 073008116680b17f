#include "hf/python_lexer.h"

#include <algorithm>
#include <optional>

#include "hf/python_identifier.h"

namespace modelgate::python {

namespace {

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

bool is_string_prefix(std::string_view p, bool& raw, bool& fstring) {
  if (p.size() > 2) return false;
  raw = fstring = false;
  bool bytes = false;
  for (char c : p) {
    char l = static_cast<char>(c | 0x20);
    if (l == 'r') raw = true;
    else if (l == 'f' || l == 't') fstring = true;
    else if (l == 'b') bytes = true;
    else if (l == 'u') {
      if (p.size() != 1) return false;
    } else {
      return false;
    }
  }
  return !(bytes && fstring);
}

class Lexer {
 public:
  Lexer(std::string_view s, std::size_t max_tokens) : s_(s), max_tokens_(max_tokens) {}

  Expected<LexedSource> run() {
    lex_range(0, s_.size(), 0, true);
    if (error_) return std::move(*error_);
    return std::move(r_);
  }

 private:
  bool ok() const { return !error_; }
  void fail(std::size_t at, std::string why) {
    if (error_) return;
    error_ = parse_error(static_cast<std::uint32_t>(at), std::move(why));
  }

  std::uint32_t line_at(std::size_t at) {
    // Lines are counted incrementally: offsets passed here only grow within one range.
    if (at < line_pos_) {
      line_pos_ = 0;
      line_ = 1;
    }
    for (; line_pos_ < at && line_pos_ < s_.size(); ++line_pos_)
      if (s_[line_pos_] == '\n') ++line_;
    return line_;
  }

  void push(TokKind k, std::size_t at, std::string_view text) {
    if (!ok()) return;
    if (r_.tokens.size() >= max_tokens_) return fail(at, "more than " + std::to_string(max_tokens_) + " tokens");
    r_.tokens.push_back({k, static_cast<std::uint32_t>(at), line_at(at), text});
  }

  void push_name(std::size_t at, std::string_view text) {
    if (auto ascii = ascii_identifier(text)) {
      r_.normalized_names.push_back(std::make_unique<const std::string>(std::move(*ascii)));
      text = *r_.normalized_names.back();
    }
    push(TokKind::name, at, text);
  }

  // Skips a string body starting after the opening quote(s); returns the offset after the
  // closing quote(s), or npos. f-string replacement fields are lexed as code.
  std::size_t string_end(std::size_t p, std::size_t end, char q, bool triple, bool fstring, int depth) {
    while (p < end) {
      char c = s_[p];
      if (c == '\\') {
        p += 2;
        continue;
      }
      if (c == q) {
        if (!triple) return p + 1;
        if (p + 2 < end && s_[p + 1] == q && s_[p + 2] == q) return p + 3;
        ++p;
        continue;
      }
      if (c == '\n' && !triple) return std::string_view::npos;
      if (fstring && c == '{') {
        if (p + 1 < end && s_[p + 1] == '{') {
          p += 2;
          continue;
        }
        std::size_t expr_end = replacement_field_end(p + 1, end);
        if (expr_end == std::string_view::npos) return std::string_view::npos;
        if (depth >= 8) {
          fail(p, "f-strings nested too deeply");
          return std::string_view::npos;
        }
        lex_range(p + 1, expr_end, depth + 1, false);
        p = expr_end + 1;
        continue;
      }
      ++p;
    }
    return std::string_view::npos;
  }

  // The '}' closing a replacement field that starts at `p`, skipping nested brackets and strings.
  std::size_t replacement_field_end(std::size_t p, std::size_t end) {
    int nest = 0;
    while (p < end) {
      char c = s_[p];
      if (c == '\'' || c == '"') {
        bool triple = p + 2 < end && s_[p + 1] == c && s_[p + 2] == c;
        std::size_t q = p + (triple ? 3 : 1);
        while (q < end) {
          if (s_[q] == '\\') {
            q += 2;
            continue;
          }
          if (s_[q] == c && (!triple || (q + 2 < end && s_[q + 1] == c && s_[q + 2] == c))) break;
          ++q;
        }
        if (q >= end) return std::string_view::npos;
        p = q + (triple ? 3 : 1);
        continue;
      }
      if (c == '(' || c == '[' || c == '{') ++nest;
      else if (c == ')' || c == ']') --nest;
      else if (c == '}') {
        if (nest == 0) return p;
        --nest;
      }
      ++p;
    }
    return std::string_view::npos;
  }

  void lex_range(std::size_t p, std::size_t end, int depth, bool top) {
    int brackets = 0;
    while (p < end && ok()) {
      char c = s_[p];
      if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
        ++p;
      } else if (c == '\n') {
        if (brackets == 0 && top) push(TokKind::newline, p, "\n");
        ++p;
      } else if (c == '#') {
        while (p < end && s_[p] != '\n') ++p;
      } else if (c == '\\') {
        if (p + 1 < end && s_[p + 1] == '\n') p += 2;
        else if (p + 2 < end && s_[p + 1] == '\r' && s_[p + 2] == '\n') p += 3;
        else return fail(p, "stray backslash");
      } else if (name_start(c)) {
        std::size_t b = p;
        while (p < end && name_char(s_[p])) ++p;
        bool raw = false, fstring = false;
        if (p < end && (s_[p] == '\'' || s_[p] == '"') && is_string_prefix(s_.substr(b, p - b), raw, fstring)) {
          p = lex_string(b, p, end, fstring, depth);
          if (p == std::string_view::npos) return;
        } else {
          push_name(b, s_.substr(b, p - b));
        }
      } else if (c == '\'' || c == '"') {
        p = lex_string(p, p, end, false, depth);
        if (p == std::string_view::npos) return;
      } else if ((c >= '0' && c <= '9') || (c == '.' && p + 1 < end && s_[p + 1] >= '0' && s_[p + 1] <= '9')) {
        std::size_t b = p;
        while (p < end && (name_char(s_[p]) || s_[p] == '.' ||
                           ((s_[p] == '+' || s_[p] == '-') && (s_[p - 1] == 'e' || s_[p - 1] == 'E'))))
          ++p;
        push(TokKind::number, b, s_.substr(b, p - b));
      } else {
        if (c == '(' || c == '[' || c == '{') ++brackets;
        if ((c == ')' || c == ']' || c == '}') && brackets > 0) --brackets;
        push(TokKind::op, p, s_.substr(p, 1));
        ++p;
      }
    }
  }

  // `start` is the prefix start, `q` the opening quote.
  std::size_t lex_string(std::size_t start, std::size_t q, std::size_t end, bool fstring, int depth) {
    char quote = s_[q];
    bool triple = q + 2 < end && s_[q + 1] == quote && s_[q + 2] == quote;
    std::size_t body = q + (triple ? 3 : 1);
    // The token goes in before the f-string's inner tokens (offsets, and so lines, stay in order).
    push(TokKind::string, start, {});
    if (!ok()) return std::string_view::npos;
    std::size_t index = r_.tokens.size() - 1;
    std::size_t after = string_end(body, end, quote, triple, fstring, depth);
    if (after == std::string_view::npos) {
      fail(start, triple ? "unterminated triple-quoted string" : "unterminated string literal");
      return std::string_view::npos;
    }
    std::size_t body_end = after - (triple ? 3 : 1);
    r_.tokens[index].text = s_.substr(body, body_end - body);
    return after;
  }

  std::string_view s_;
  std::size_t max_tokens_;
  LexedSource r_;
  std::optional<Error> error_;  // the first error; lexing stops there
  std::size_t line_pos_ = 0;
  std::uint32_t line_ = 1;
};

bool starts_with_word(std::string_view line, std::string_view word) {
  return line.substr(0, word.size()) == word && line.size() > word.size() &&
         (line[word.size()] == ' ' || line[word.size()] == '\t');
}

bool statement_line(std::string_view line) {
  auto ident_follows = [&](std::size_t from) {
    while (from < line.size() && (line[from] == ' ' || line[from] == '\t')) ++from;
    return from < line.size() && name_start(line[from]);
  };
  if (starts_with_word(line, "import")) return ident_follows(6);
  if (starts_with_word(line, "from")) return line.find(" import ") != std::string_view::npos && ident_follows(4);
  if (starts_with_word(line, "def") || starts_with_word(line, "class")) {
    std::size_t paren = line.find_first_of("(:");
    return paren != std::string_view::npos && line.find_last_of(':') != std::string_view::npos;
  }
  if (starts_with_word(line, "async")) return line.find("def ") != std::string_view::npos;
  if (line.size() > 1 && line[0] == '@' && name_start(line[1])) return true;
  return line.rfind("if __name__", 0) == 0;
}

}  // namespace

Expected<LexedSource> lex(std::string_view source, std::size_t max_tokens) { return Lexer(source, max_tokens).run(); }

std::uint32_t line_of(std::string_view source, std::size_t offset) {
  std::string_view before = source.substr(0, offset);
  return static_cast<std::uint32_t>(1 + std::count(before.begin(), before.end(), '\n'));
}

bool looks_like_python(std::string_view text) {
  bool marker = text.rfind("#!", 0) == 0 && text.substr(0, text.find('\n')).find("python") != std::string_view::npos;
  std::size_t scanned = 0;
  for (std::size_t p = 0; p < text.size() && !marker && scanned < (1u << 20);) {
    std::size_t nl = text.find('\n', p);
    std::string_view line = text.substr(p, nl == std::string_view::npos ? std::string_view::npos : nl - p);
    if (statement_line(line)) marker = true;
    scanned += line.size() + 1;
    if (nl == std::string_view::npos) break;
    p = nl + 1;
  }
  if (!marker) return false;
  // Beyond this size the decision rests on the statement lines; the scanner then refuses the
  // file as over its size limit rather than calling it text.
  constexpr std::size_t kProbeBytes = 4u << 20;
  if (text.size() > kProbeBytes) return true;
  return lex(text, kProbeBytes).ok();
}

}  // namespace modelgate::python
