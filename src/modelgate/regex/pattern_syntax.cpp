#include "regex/pattern_syntax.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/utf8.h"

namespace modelgate::regex {

namespace {

struct Flags {
  bool ignore_case = false;
  bool extended = false;  // (?x): white space and # comments outside classes are not pattern
  bool dot_all = false;   // Ruby's (?m): `.` matches a newline too
};

// `a**` repeats a repetition; more than a few in a row is no pattern anyone writes, and each one
// nests the tree deeper.
constexpr int kMaxStackedQuantifiers = 8;

bool hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
std::uint32_t hex_value(char c) {
  return c <= '9' ? static_cast<std::uint32_t>(c - '0') : static_cast<std::uint32_t>((c | 0x20) - 'a' + 10);
}

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  Expected<ParsedPattern> run() {
    if (p_.size() > kMaxPatternBytes)
      return parse_error(0, "pattern of " + std::to_string(p_.size()) + " bytes is longer than " +
                                std::to_string(kMaxPatternBytes));
    Flags flags;
    auto root = alternation(0, flags);
    if (!root) return root.error();
    if (at_ < p_.size()) return parse_error(at_, "unmatched ')'");
    ParsedPattern out;
    out.root = std::move(*root);
    out.lookarounds = std::move(lookarounds_);
    return out;
  }

 private:
  Expected<PatternNode> alternation(int depth, Flags flags) {
    if (depth > kMaxPatternDepth) return parse_error(at_, "groups nested deeper than " + std::to_string(kMaxPatternDepth));
    PatternNode alt{PatternNode::Kind::alternation, {}, {}, 0, {}};
    for (;;) {
      auto seq = sequence(depth, flags);
      if (!seq) return seq.error();
      alt.items.push_back(std::move(*seq));
      if (at_ < p_.size() && p_[at_] == '|') {
        ++at_;
        continue;
      }
      break;
    }
    if (alt.items.size() == 1) return std::move(alt.items[0]);
    return alt;
  }

  Expected<PatternNode> sequence(int depth, Flags& flags) {
    PatternNode seq{PatternNode::Kind::sequence, {}, {}, 0, {}};
    for (;;) {
      skip_extended(flags);
      if (at_ >= p_.size() || p_[at_] == '|' || p_[at_] == ')') break;
      auto atom = this->atom(depth, flags);
      if (!atom) return atom.error();
      if (!atom->has_value()) continue;  // an inline flag group or a comment
      PatternNode node = std::move(**atom);
      for (int stacked = 0;; ++stacked) {
        skip_extended(flags);
        const std::size_t at = at_;
        auto q = quantifier();
        if (!q) return q.error();
        if (!q->has_value()) break;
        if (stacked == kMaxStackedQuantifiers) return parse_error(at, "more quantifiers in a row than " + std::to_string(kMaxStackedQuantifiers));
        PatternNode rep{PatternNode::Kind::repeat, {}, {}, (*q)->first, (*q)->second};
        rep.items.push_back(std::move(node));
        node = std::move(rep);
      }
      seq.items.push_back(std::move(node));
    }
    if (seq.items.size() == 1) return std::move(seq.items[0]);
    return seq;
  }

  void skip_extended(const Flags& flags) {
    while (flags.extended && at_ < p_.size()) {
      const char c = p_[at_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++at_;
      } else if (c == '#') {
        while (at_ < p_.size() && p_[at_] != '\n') ++at_;
      } else {
        break;
      }
    }
  }

  // A quantifier after an atom: {min, max}, nullopt when there is none. `{` that does not make an
  // interval is a literal, as in Ruby. A lazy `?` or possessive `+` after *, + or ? changes which
  // way the matcher tries first or whether it backtracks at all; both are read as the plain form.
  using Bounds = std::pair<std::uint32_t, std::optional<std::uint32_t>>;
  Expected<std::optional<Bounds>> quantifier() {
    if (at_ >= p_.size()) return std::optional<Bounds>{};
    const char c = p_[at_];
    std::optional<Bounds> b;
    if (c == '*') b = Bounds{0, std::nullopt};
    else if (c == '+') b = Bounds{1, std::nullopt};
    else if (c == '?') b = Bounds{0, 1};
    if (b) {
      ++at_;
      if (at_ < p_.size() && (p_[at_] == '?' || p_[at_] == '+')) ++at_;
      return b;
    }
    if (c != '{') return std::optional<Bounds>{};
    std::size_t i = at_ + 1;
    auto number = [&](std::optional<std::uint32_t>& n) {
      std::uint64_t v = 0;
      bool any = false;
      while (i < p_.size() && p_[i] >= '0' && p_[i] <= '9') {
        v = v * 10 + static_cast<std::uint64_t>(p_[i] - '0');
        if (v > 100000) v = 100000;  // Oniguruma's own limit on interval bounds
        any = true;
        ++i;
      }
      if (any) n = static_cast<std::uint32_t>(v);
    };
    std::optional<std::uint32_t> lo, hi;
    number(lo);
    bool comma = false;
    if (i < p_.size() && p_[i] == ',') {
      comma = true;
      ++i;
      number(hi);
    }
    if (i >= p_.size() || p_[i] != '}' || (!lo && !hi)) return std::optional<Bounds>{};  // a literal '{'
    at_ = i + 1;
    if (at_ < p_.size() && p_[at_] == '?') ++at_;  // lazy
    if (!comma) return std::optional<Bounds>{Bounds{*lo, *lo}};
    const std::uint32_t min = lo.value_or(0);
    if (hi && *hi < min) return parse_error(at_, "interval {n,m} with m < n");
    return std::optional<Bounds>{Bounds{min, hi}};
  }

  static PatternNode chars(CharSet s, const Flags& flags) {
    PatternNode n{PatternNode::Kind::chars, flags.ignore_case ? s.case_folded() : s, {}, 0, {}};
    return n;
  }
  static PatternNode empty() { return PatternNode{}; }
  static PatternNode assertion() { return PatternNode{PatternNode::Kind::assertion, {}, {}, 0, {}}; }

  // One atom; nullopt for a construct that matches nothing and takes no quantifier (an inline
  // flag setting, a comment).
  Expected<std::optional<PatternNode>> atom(int depth, Flags& flags) {
    const std::size_t start = at_;
    const char c = p_[at_];
    if (c == '(') return group(depth, flags);
    if (c == '[') {
      auto s = char_class(0);
      if (!s) return s.error();
      return std::optional<PatternNode>{chars(*s, flags)};
    }
    if (c == '.') {
      ++at_;
      CharSet s = CharSet::any();
      if (!flags.dot_all) s &= CharSet::character('\n').complement();
      return std::optional<PatternNode>{chars(s, flags)};
    }
    if (c == '^' || c == '$') {
      ++at_;
      return std::optional<PatternNode>{assertion()};
    }
    if (c == '*' || c == '+' || c == '?') return parse_error(start, "a quantifier with nothing to repeat");
    if (c == '\\') {
      auto e = escape(false);
      if (!e) return e.error();
      if (!e->set) return std::optional<PatternNode>{e->anchor ? assertion() : empty()};
      return std::optional<PatternNode>{chars(*e->set, flags)};
    }
    auto cp = literal();
    if (!cp) return cp.error();
    return std::optional<PatternNode>{chars(CharSet::character(*cp), flags)};
  }

  Expected<char32_t> literal() {
    std::uint32_t cp = 0;
    const std::size_t n = decode_utf8(p_, at_, cp);
    if (n == 0) return parse_error(at_, "not UTF-8");
    at_ += n;
    return static_cast<char32_t>(cp);
  }

  Expected<std::optional<PatternNode>> group(int depth, Flags& flags) {
    const std::size_t start = at_;
    ++at_;  // '('
    Flags inner = flags;
    bool lookaround = false;
    if (at_ < p_.size() && p_[at_] == '?') {
      ++at_;
      if (at_ >= p_.size()) return parse_error(start, "unterminated group");
      const char k = p_[at_];
      if (k == '#') {
        while (at_ < p_.size() && p_[at_] != ')') ++at_;
        if (at_ >= p_.size()) return parse_error(start, "unterminated comment");
        ++at_;
        return std::optional<PatternNode>{};
      }
      if (k == ':' || k == '>') {
        ++at_;
      } else if (k == '=' || k == '!') {
        ++at_;
        lookaround = true;
      } else if (k == '<' && at_ + 1 < p_.size() && (p_[at_ + 1] == '=' || p_[at_ + 1] == '!')) {
        at_ += 2;
        lookaround = true;
      } else if (k == '<' || k == '\'') {  // a named group
        const char close = k == '<' ? '>' : '\'';
        while (at_ < p_.size() && p_[at_] != close) ++at_;
        if (at_ >= p_.size()) return parse_error(start, "unterminated group name");
        ++at_;
      } else if (k == '~') {
        return parse_error(start, "the absent operator (?~...) is not analysed");
      } else if (k == '(') {
        return parse_error(start, "a conditional group is not analysed");
      } else {
        // Flags: (?imx-imx) for the rest of the enclosing group, (?imx-imx:...) for a group.
        bool on = true;
        Flags set = flags;
        for (; at_ < p_.size() && p_[at_] != ')' && p_[at_] != ':'; ++at_) {
          switch (p_[at_]) {
            case '-': on = false; break;
            case 'i': set.ignore_case = on; break;
            case 'x': set.extended = on; break;
            case 'm': set.dot_all = on; break;
            case 'a': case 'u': case 'd': case 'l': break;  // character-set options: classes stay supersets
            default: return parse_error(at_, std::string("unknown group option '") + p_[at_] + "'");
          }
        }
        if (at_ >= p_.size()) return parse_error(start, "unterminated group");
        if (p_[at_] == ')') {
          ++at_;
          flags = set;
          return std::optional<PatternNode>{};
        }
        ++at_;  // ':'
        inner = set;
      }
    }
    auto body = alternation(depth + 1, inner);
    if (!body) return body.error();
    if (at_ >= p_.size() || p_[at_] != ')') return parse_error(start, "unterminated group");
    ++at_;
    if (lookaround) {
      lookarounds_.push_back(std::move(*body));
      return std::optional<PatternNode>{assertion()};
    }
    return std::optional<PatternNode>{std::move(*body)};
  }

  // An escape at at_ ('\\'): the class it matches (none for an anchor, outside a class only) and,
  // for a single character, its code point (a range's bound inside a class).
  struct Escaped {
    std::optional<CharSet> set;
    std::optional<char32_t> code_point;
    bool anchor = false;  // no set: an anchor (\b, \A...) rather than \K
  };
  static Escaped single(char32_t cp) { return {CharSet::character(cp), cp, false}; }

  Expected<Escaped> escape(bool in_class) {
    const std::size_t start = at_;
    ++at_;
    if (at_ >= p_.size()) return parse_error(start, "pattern ends with a backslash");
    const char e = p_[at_];
    switch (e) {
      case 't': ++at_; return single('\t');
      case 'n': ++at_; return single('\n');
      case 'r': ++at_; return single('\r');
      case 'f': ++at_; return single('\f');
      case 'v': ++at_; return single('\v');
      case 'a': ++at_; return single('\a');
      case 'e': ++at_; return single(0x1B);
      case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h': case 'H':
        ++at_;
        return Escaped{*CharSet::escape(e), std::nullopt, false};
      case 'p': case 'P': {
        auto s = property(start);
        if (!s) return s.error();
        return Escaped{*s, std::nullopt, false};
      }
      case 'x': {
        auto cp = hex_escape(start);
        if (!cp) return cp.error();
        return single(*cp);
      }
      case 'u': {
        std::uint32_t v = 0;
        for (std::size_t k = 1; k <= 4; ++k) {
          if (at_ + k >= p_.size() || !hex(p_[at_ + k])) return parse_error(start, "bad \\u escape");
          v = v * 16 + hex_value(p_[at_ + k]);
        }
        at_ += 5;
        return single(v);
      }
      case '0': {  // octal: \0, \0o, \0oo
        ++at_;
        std::uint32_t v = 0;
        for (int k = 0; k < 2 && at_ < p_.size() && p_[at_] >= '0' && p_[at_] <= '7'; ++k, ++at_)
          v = v * 8 + static_cast<std::uint32_t>(p_[at_] - '0');
        return single(v);
      }
      case 'c': case 'C': case 'M':  // control and meta characters (\cx, \C-x, \M-x): some character
        at_ = std::min(p_.size(), at_ + (e == 'c' ? 2 : 3));
        return Escaped{CharSet::any(), std::nullopt, false};
      default: break;
    }
    if (in_class) {
      if (e == 'b') {
        ++at_;
        return single(0x08);
      }
    } else {
      switch (e) {
        case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': case 'y': case 'Y':
          ++at_;
          return Escaped{std::nullopt, std::nullopt, true};
        case 'K':  // keeps the text matched so far out of the match; always succeeds
          ++at_;
          return Escaped{};
        case 'R': case 'X': case 'O':  // a line break, a grapheme cluster, any character
          ++at_;
          return Escaped{CharSet::any(), std::nullopt, false};
        case 'N':
          ++at_;
          return Escaped{CharSet::character('\n').complement(), std::nullopt, false};
        case 'k': case 'g':
          return parse_error(start, std::string("\\") + e + ": backreferences and subexpression calls are not analysed");
        default: break;
      }
      if (e >= '1' && e <= '9') return parse_error(start, "a backreference is not analysed");
    }
    auto lit = literal();  // any other escaped character stands for itself
    if (!lit) return lit.error();
    return single(*lit);
  }

  Expected<char32_t> hex_escape(std::size_t start) {
    ++at_;  // 'x'
    std::uint32_t v = 0;
    if (at_ < p_.size() && p_[at_] == '{') {
      std::size_t digits = 0;
      for (++at_; at_ < p_.size() && hex(p_[at_]); ++at_, ++digits) {
        if (digits >= 8) return parse_error(start, "\\x{...} too long");
        v = v * 16 + hex_value(p_[at_]);
      }
      if (at_ >= p_.size() || p_[at_] != '}' || digits == 0) return parse_error(start, "bad \\x{...} escape");
      ++at_;
      if (v > 0x10FFFF) return parse_error(start, "\\x{...} beyond U+10FFFF");
    } else {
      for (int k = 0; k < 2 && at_ < p_.size() && hex(p_[at_]); ++k, ++at_) v = v * 16 + hex_value(p_[at_]);
    }
    return static_cast<char32_t>(v);
  }

  Expected<CharSet> property(std::size_t start) {
    bool negated = p_[at_] == 'P';
    ++at_;
    if (at_ >= p_.size() || p_[at_] != '{') return parse_error(start, "\\p without {name}");
    const std::size_t close = p_.find('}', at_);
    if (close == std::string_view::npos) return parse_error(start, "unterminated \\p{...}");
    std::string_view name = p_.substr(at_ + 1, close - at_ - 1);
    at_ = close + 1;
    if (!name.empty() && name[0] == '^') {
      negated = !negated;
      name.remove_prefix(1);
    }
    auto s = CharSet::property(name);
    if (!s) return CharSet::any();  // a script or another property: some characters
    return negated ? s->complement() : *s;
  }

  // A bracketed class at at_ ('['), with nested classes and && intersections.
  Expected<CharSet> char_class(int depth) {
    const std::size_t start = at_;
    if (depth > kMaxPatternDepth) return parse_error(start, "classes nested too deeply");
    ++at_;
    bool negated = false;
    if (at_ < p_.size() && p_[at_] == '^') {
      negated = true;
      ++at_;
    }
    CharSet result = CharSet::none();
    std::optional<CharSet> intersected;  // the operands before each &&
    bool first = true;
    for (;;) {
      if (at_ >= p_.size()) return parse_error(start, "unterminated character class");
      const char c = p_[at_];
      if (c == ']' && !first) {
        ++at_;
        break;
      }
      first = false;
      if (c == '&' && at_ + 1 < p_.size() && p_[at_ + 1] == '&') {
        at_ += 2;
        intersected = intersected ? (*intersected &= result, *intersected) : result;
        result = CharSet::none();
        continue;
      }
      if (c == '[' && at_ + 1 < p_.size() && p_[at_ + 1] == ':') {
        const std::size_t end = p_.find(":]", at_ + 2);
        if (end != std::string_view::npos) {
          std::string_view name = p_.substr(at_ + 2, end - at_ - 2);
          bool neg = !name.empty() && name[0] == '^';
          if (neg) name.remove_prefix(1);
          auto s = CharSet::property(name);
          if (!s) return parse_error(at_, "unknown POSIX class [:" + std::string(name) + ":]");
          result |= neg ? s->complement() : *s;
          at_ = end + 2;
          continue;
        }
      }
      if (c == '[') {
        auto nested = char_class(depth + 1);
        if (!nested) return nested.error();
        result |= *nested;
        continue;
      }
      // One character or escape, perhaps the start of a range.
      auto lo = class_member();
      if (!lo) return lo.error();
      if (lo->code_point && at_ + 1 < p_.size() && p_[at_] == '-' && p_[at_ + 1] != ']') {
        ++at_;
        auto hi = class_member();
        if (!hi) return hi.error();
        if (!hi->code_point) return parse_error(at_, "a range ends with a class");
        if (*hi->code_point < *lo->code_point) return parse_error(at_, "a range out of order");
        result |= CharSet::range(*lo->code_point, *hi->code_point);
        continue;
      }
      if (lo->set) result |= *lo->set;
    }
    if (intersected) result = (*intersected &= result, *intersected);
    return negated ? result.complement() : result;
  }

  // A class member: its set, and its code point when it is a single character.
  Expected<Escaped> class_member() {
    if (p_[at_] == '\\') return escape(true);
    auto cp = literal();
    if (!cp) return cp.error();
    return single(*cp);
  }

  std::string_view p_;
  std::size_t at_ = 0;
  std::vector<PatternNode> lookarounds_;
};

}  // namespace

Expected<ParsedPattern> parse_pattern(std::string_view pattern) { return Parser(pattern).run(); }

}  // namespace modelgate::regex
