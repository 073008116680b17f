#include "regex/char_atoms.h"

#include <array>
#include <string>

namespace modelgate::regex {

namespace {

using C = Category;

// ASCII members of general categories, as inclusive ranges: "az" is a to z, "__" the underscore.
constexpr std::string_view kAsciiPunctuation = "!#%*,/:;?@[]__{{}}";    // P: ! " # % & ' ( ) * , - . / : ; ? @ [ \ ] _ { }
constexpr std::string_view kAsciiSymbols = "$$++<>^^``||~~";           // S: $ + < = > ^ ` | ~
const std::string_view kAsciiControls("\0\x1f\x7f\x7f", 4);          // Cc

std::size_t atom(Category c) { return kAsciiAtoms + static_cast<std::size_t>(c); }

// Property names compare as Oniguruma compares them: case, spaces, hyphens and underscores aside.
std::string loose(std::string_view name) {
  std::string out;
  for (char c : name)
    if (c != ' ' && c != '_' && c != '-') out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

struct GeneralCategory {
  std::string_view short_name, long_name;
  std::initializer_list<Category> categories;
  std::string_view ascii;  // the ASCII characters of the category, as ranges (pairs of bounds)
};

// The characters "a-z" style pairs name.
template <class Add>
void for_each_ascii_range(std::string_view pairs, Add&& add) {
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
    add(static_cast<unsigned char>(pairs[i]), static_cast<unsigned char>(pairs[i + 1]));
}

}  // namespace

CharSet CharSet::any() {
  CharSet s;
  s.may_.set();
  s.all_.set();
  return s;
}

void CharSet::add_ascii(char32_t lo, char32_t hi) {
  for (char32_t c = lo; c <= hi && c < kAsciiAtoms; ++c) {
    may_.set(c);
    all_.set(c);
  }
}

void CharSet::add_category(Category c) {
  may_.set(atom(c));
  all_.set(atom(c));
}

CharSet CharSet::character(char32_t c) { return range(c, c); }

CharSet CharSet::range(char32_t lo, char32_t hi) {
  CharSet s;
  if (lo > hi) return s;
  s.add_ascii(lo, hi);
  // Which categories the code points above U+007F fall in is not known here: all of them may.
  if (hi >= kAsciiAtoms)
    for (std::size_t i = kAsciiAtoms; i < kAtoms; ++i) s.may_.set(i);
  return s;
}

CharSet CharSet::categories(std::initializer_list<Category> cs) {
  CharSet s;
  for (Category c : cs) s.add_category(c);
  return s;
}

std::optional<CharSet> CharSet::escape(char letter) {
  CharSet s;
  switch (letter) {
    case 'd': case 'D':
      s.add_ascii('0', '9');
      s.may_.set(atom(C::Nd));  // Unicode digits unless the ASCII option is on
      break;
    case 'w': case 'W':
      s.add_ascii('a', 'z');
      s.add_ascii('A', 'Z');
      s.add_ascii('0', '9');
      s.add_ascii('_', '_');
      for (Category c : {C::Lu, C::Ll, C::Lt, C::Lm, C::Lo, C::Mn, C::Mc, C::Me, C::Nd, C::Nl, C::No, C::Pc})
        s.may_.set(atom(c));
      break;
    case 's': case 'S':
      s.add_ascii('\t', '\r');
      s.add_ascii(' ', ' ');
      for (Category c : {C::Zs, C::Zl, C::Zp, C::Cc}) s.may_.set(atom(c));  // U+0085 is Cc
      break;
    case 'h': case 'H':  // Ruby syntax: a hexadecimal digit
      s.add_ascii('0', '9');
      s.add_ascii('a', 'f');
      s.add_ascii('A', 'F');
      break;
    default:
      return std::nullopt;
  }
  return letter >= 'A' && letter <= 'Z' ? s.complement() : s;
}

std::optional<CharSet> CharSet::property(std::string_view name) {
  static const GeneralCategory kCategories[] = {
      {"l", "letter", {C::Lu, C::Ll, C::Lt, C::Lm, C::Lo}, "azAZ"},
      {"lc", "casedletter", {C::Lu, C::Ll, C::Lt}, "azAZ"},
      {"l&", "", {C::Lu, C::Ll, C::Lt}, "azAZ"},
      {"lu", "uppercaseletter", {C::Lu}, "AZ"},
      {"ll", "lowercaseletter", {C::Ll}, "az"},
      {"lt", "titlecaseletter", {C::Lt}, ""},
      {"lm", "modifierletter", {C::Lm}, ""},
      {"lo", "otherletter", {C::Lo}, ""},
      {"m", "mark", {C::Mn, C::Mc, C::Me}, ""},
      {"", "combiningmark", {C::Mn, C::Mc, C::Me}, ""},
      {"mn", "nonspacingmark", {C::Mn}, ""},
      {"mc", "spacingmark", {C::Mc}, ""},
      {"me", "enclosingmark", {C::Me}, ""},
      {"n", "number", {C::Nd, C::Nl, C::No}, "09"},
      {"nd", "decimalnumber", {C::Nd}, "09"},
      {"nl", "letternumber", {C::Nl}, ""},
      {"no", "othernumber", {C::No}, ""},
      {"p", "punctuation", {C::Pc, C::Pd, C::Ps, C::Pe, C::Pi, C::Pf, C::Po}, kAsciiPunctuation},
      {"pc", "connectorpunctuation", {C::Pc}, "__"},
      {"pd", "dashpunctuation", {C::Pd}, "--"},
      {"ps", "openpunctuation", {C::Ps}, "(([[{{"},
      {"pe", "closepunctuation", {C::Pe}, "))]]}}"},
      {"pi", "initialpunctuation", {C::Pi}, ""},
      {"pf", "finalpunctuation", {C::Pf}, ""},
      {"po", "otherpunctuation", {C::Po}, "!#%'**,,./:;?@\\\\"},
      {"s", "symbol", {C::Sm, C::Sc, C::Sk, C::So}, kAsciiSymbols},
      {"sm", "mathsymbol", {C::Sm}, "++<<==>>||~~"},
      {"sc", "currencysymbol", {C::Sc}, "$$"},
      {"sk", "modifiersymbol", {C::Sk}, "^^``"},
      {"so", "othersymbol", {C::So}, ""},
      {"z", "separator", {C::Zs, C::Zl, C::Zp}, "  "},
      {"zs", "spaceseparator", {C::Zs}, "  "},
      {"zl", "lineseparator", {C::Zl}, ""},
      {"zp", "paragraphseparator", {C::Zp}, ""},
      {"c", "other", {C::Cc, C::Cf, C::Cs, C::Co, C::Cn}, kAsciiControls},
      {"cc", "control", {C::Cc}, kAsciiControls},
      {"cf", "format", {C::Cf}, ""},
      {"cs", "surrogate", {C::Cs}, ""},
      {"co", "privateuse", {C::Co}, ""},
      {"cn", "unassigned", {C::Cn}, ""},
  };
  std::string key = loose(name);
  for (const auto& g : kCategories) {
    if (key != g.short_name && key != g.long_name) continue;
    CharSet s = categories(g.categories);
    for_each_ascii_range(g.ascii, [&s](char32_t lo, char32_t hi) { s.add_ascii(lo, hi); });
    return s;
  }
  // POSIX bracket names and the Oniguruma properties tokenizers' patterns use, each as a superset.
  CharSet s;
  auto may = [&s](std::initializer_list<Category> cs) {
    for (Category c : cs) s.may_.set(atom(c));
  };
  if (key == "digit") {
    s.add_ascii('0', '9');
    may({C::Nd});
  } else if (key == "xdigit" || key == "asciihexdigit" || key == "hexdigit") {
    s.add_ascii('0', '9');
    s.add_ascii('a', 'f');
    s.add_ascii('A', 'F');
  } else if (key == "alpha" || key == "alphabetic" || key == "upper" || key == "uppercase" || key == "lower" ||
             key == "lowercase" || key == "alnum") {
    s.may_ |= CharSet::range('A', 'Z').may_ | CharSet::range('a', 'z').may_;
    if (key == "alnum") s.may_ |= CharSet::range('0', '9').may_;
    may({C::Lu, C::Ll, C::Lt, C::Lm, C::Lo, C::Mn, C::Mc, C::Me, C::Nd, C::Nl, C::No, C::So});
  } else if (key == "space" || key == "whitespace") {
    s = *escape('s');
  } else if (key == "blank") {
    s.add_ascii('\t', '\t');
    s.add_ascii(' ', ' ');
    may({C::Zs});
  } else if (key == "cntrl") {
    for_each_ascii_range(kAsciiControls, [&s](char32_t lo, char32_t hi) { s.add_ascii(lo, hi); });
    may({C::Cc, C::Cf});
  } else if (key == "punct") {
    auto may_ascii = [&s](char32_t lo, char32_t hi) {
      for (char32_t c = lo; c <= hi; ++c) s.may_.set(c);
    };
    for_each_ascii_range(kAsciiPunctuation, may_ascii);
    for_each_ascii_range(kAsciiSymbols, may_ascii);
    may({C::Pc, C::Pd, C::Ps, C::Pe, C::Pi, C::Pf, C::Po, C::Sm, C::Sc, C::Sk, C::So});
  } else if (key == "word") {
    s = *escape('w');
  } else if (key == "ascii") {
    s.add_ascii(0, 0x7F);
  } else if (key == "any") {
    s = any();
  } else {
    return std::nullopt;  // a script, a binary property...: the caller takes any character
  }
  return s;
}

CharSet& CharSet::operator|=(const CharSet& o) {
  may_ |= o.may_;
  all_ |= o.all_;
  return *this;
}

CharSet& CharSet::operator&=(const CharSet& o) {
  may_ &= o.may_;
  all_ &= o.all_;
  return *this;
}

CharSet CharSet::complement() const {
  CharSet s;
  s.may_ = ~all_;
  s.all_ = ~may_;
  return s;
}

CharSet CharSet::case_folded() const {
  CharSet s = *this;
  bool letters = false;
  for (char32_t c = 'a'; c <= 'z'; ++c) {
    const char32_t upper = c - 'a' + 'A';
    if (may_.test(c) || may_.test(upper)) {
      letters = true;
      s.may_.set(c).set(upper);
      if (all_.test(c) || all_.test(upper)) s.all_.set(c).set(upper);
    }
  }
  const bool cased = may_.test(atom(C::Lu)) || may_.test(atom(C::Ll)) || may_.test(atom(C::Lt));
  // ASCII letters fold to and from letters above U+007F (k and the Kelvin sign, s and the long s).
  if (letters || cased) {
    for (Category c : {C::Lu, C::Ll, C::Lt}) s.may_.set(atom(c));
    if (cased)
      for (char32_t c = 'a'; c <= 'z'; ++c) s.may_.set(c).set(c - 'a' + 'A');
  }
  return s;
}

}  // namespace modelgate::regex
