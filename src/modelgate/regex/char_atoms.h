#pragma once
// Characters as far as the backtracking analysis needs them: can two character classes match a
// common character? Exact for ASCII. A character above U+007F is known only by its Unicode general
// category, and a class naming code points above U+007F is taken to hold every category it might.
// The sets over-approximate: two classes may be taken to overlap when they do not, never the
// reverse, so the analysis can find ambiguity that is not there but not miss any.
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace modelgate::regex {

// Unicode general categories, for the characters above U+007F.
enum class Category : std::uint8_t {
  Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps, Pe, Pi, Pf, Po,
  Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co, Cn, count
};

inline constexpr std::size_t kAsciiAtoms = 128;
inline constexpr std::size_t kAtoms = kAsciiAtoms + static_cast<std::size_t>(Category::count);

class CharSet {
 public:
  static CharSet none() { return {}; }
  static CharSet any();
  static CharSet character(char32_t c);
  static CharSet range(char32_t lo, char32_t hi);
  // Every character above U+007F in one of the categories (by their one-letter or two-letter names).
  static CharSet categories(std::initializer_list<Category> cs);
  // A class escape (\d \D \w \W \s \S \h \H) or a property name (\p{...}, [:name:]); nullopt for
  // a name not known, which the caller takes as any character.
  static std::optional<CharSet> escape(char letter);
  static std::optional<CharSet> property(std::string_view name);

  CharSet& operator|=(const CharSet& o);
  CharSet& operator&=(const CharSet& o);
  CharSet complement() const;
  // The set a case-insensitive match of this one can reach.
  CharSet case_folded() const;
  bool empty() const { return may_.none(); }
  bool overlaps(const CharSet& o) const { return (may_ & o.may_).any(); }
  // The characters possibly in all three sets.
  static bool common(const CharSet& a, const CharSet& b, const CharSet& c) { return (a.may_ & b.may_ & c.may_).any(); }

 private:
  void add_ascii(char32_t lo, char32_t hi);
  void add_category(Category c);
  std::bitset<kAtoms> may_;  // atoms holding a character that may be in the set
  std::bitset<kAtoms> all_;  // atoms wholly in the set (a subset of may_)
};

}  // namespace modelgate::regex
