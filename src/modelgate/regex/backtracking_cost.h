#pragma once
// How long a backtracking matcher (Oniguruma, Python's re) can take on a pattern, from the
// ambiguity of its automaton (Weideman, van der Merwe, Berglund and Watson, "Analyzing matching
// time behavior of backtracking regular expression matchers by using ambiguous NFA", 2016):
// - exponential: some state has two different paths back to itself reading the same word, so a
//   failing match of n characters can try about 2^n ways;
// - polynomial of degree d: a chain of d + 1 loops, each reaching the next, with a word that each
//   loop and each step between them can read, so a failing match can take about n^(d+1) steps.
// Only loops the matcher can be made to leave by failing count: a search succeeds, and stops, on
// reaching a state after which the rest of the pattern can match nothing (`\s*[\r\n]+` at the end
// of Llama 3's pattern is ambiguous, and harmless); an assertion (`$`, a lookahead) may fail.
// The automaton is a Glushkov automaton whose transitions keep their multiplicity (`(a+)+` reaches
// `a` from `a` in two ways) and whose character classes over-approximate (char_atoms.h): the
// analysis may report ambiguity a pattern lacks, never miss ambiguity it has.
#include <cstdint>

#include "regex/pattern_syntax.h"

namespace modelgate::regex {

struct BacktrackingCost {
  bool exponential = false;
  int polynomial_degree = 0;  // 0: linear in the input for each match attempt
  bool too_complex = false;   // the analysis stopped at its work limit; nothing above is known
};

inline constexpr std::uint64_t kDefaultAnalysisWork = 20'000'000;

BacktrackingCost backtracking_cost(const ParsedPattern& pattern, std::uint64_t work_limit = kDefaultAnalysisWork);

}  // namespace modelgate::regex
