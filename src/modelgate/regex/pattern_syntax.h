#pragma once
// Regular expressions as Oniguruma reads them with its default (Ruby) syntax, the engine Hugging
// Face tokenizers compiles a tokenizer.json's Regex patterns with; Python's re reads the subset
// those patterns use the same way. Only the structure backtracking depends on is kept: character
// classes (char_atoms.h), sequences, alternatives and repetitions. Anchors and lookarounds are
// assertions: they match no characters and may fail. A lookaround's own pattern is kept apart,
// since the matcher backtracks in it too. Constructs whose matching cost this analysis cannot bound (backreferences, subexpression
// calls, the absent operator, conditionals) are errors.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "regex/char_atoms.h"

namespace modelgate::regex {

struct PatternNode {
  enum class Kind : std::uint8_t { empty, assertion, chars, sequence, alternation, repeat };
  Kind kind = Kind::empty;
  CharSet chars;                     // chars: the class of the one character matched
  std::vector<PatternNode> items;    // sequence, alternation; repeat: its one operand
  std::uint32_t min = 0;             // repeat
  std::optional<std::uint32_t> max;  // repeat; none: unbounded
};

struct ParsedPattern {
  PatternNode root;
  std::vector<PatternNode> lookarounds;  // the patterns of (?=...), (?!...), (?<=...), (?<!...)
};

// Patterns longer than this, or nested deeper, are errors.
inline constexpr std::size_t kMaxPatternBytes = 64 * 1024;
inline constexpr int kMaxPatternDepth = 64;

Expected<ParsedPattern> parse_pattern(std::string_view pattern);

}  // namespace modelgate::regex
