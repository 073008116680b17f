#pragma once
// Oniguruma, the engine Hugging Face tokenizers runs a tokenizer.json's patterns with, as a test
// oracle for the backtracking analysis. Kept behind its own file: oniguruma.h defines a struct that
// <regex.h>, which GoogleTest includes, defines too.
#include <string>

namespace mgtest {

enum class OnigurumaOutcome { finished, stopped_at_limit, not_compiled };

struct OnigurumaSearch {
  OnigurumaOutcome outcome;
  double cpu_seconds;  // of the search alone, in this thread
};

// Compiles `pattern` as the onig crate does (Ruby syntax, UTF-8, no options) and searches `text`
// with at most `limit` backtracking retries per match attempt.
OnigurumaSearch oniguruma_search(const std::string& pattern, const std::string& text, unsigned long limit);

}  // namespace mgtest
