#include "hf/tokenizer_patterns.h"

#include "core/rule_catalog.h"
#include "regex/backtracking_cost.h"

namespace modelgate {

namespace {

// Patterns analysed per file, and the work each may take (a real tokenizer has one to five).
constexpr std::size_t kMaxPatterns = 64;
constexpr std::uint64_t kWorkPerPattern = 5'000'000;
constexpr int kMaxDepth = 64;  // tokenizers' pipelines nest a Sequence or two

std::string shown_pattern(const std::string& p) { return p.size() > 200 ? p.substr(0, 200) + "..." : p; }

class PatternWalk {
 public:
  PatternWalk(const std::string& origin, ArtifactReport& report) : origin_(origin), report_(report) {}

  void walk(const nlohmann::json& v, const std::string& where, int depth) {
    if (depth > kMaxDepth) {
      add(where, "nested deeper than " + std::to_string(kMaxDepth) + " levels; the patterns below were not analysed", "");
      return;
    }
    if (v.is_object()) {
      if (auto r = v.find("Regex"); r != v.end() && r->is_string()) check(r->get<std::string>(), where);
      for (const auto& [key, item] : v.items()) walk(item, where, depth + 1);
    } else if (v.is_array()) {
      for (const auto& item : v) walk(item, where, depth + 1);
    }
  }

 private:
  void check(const std::string& pattern, const std::string& where) {
    if (++count_ > kMaxPatterns) {
      if (count_ == kMaxPatterns + 1)
        add(where, "more than " + std::to_string(kMaxPatterns) + " Regex patterns; those after the " +
                       std::to_string(kMaxPatterns) + "th were not analysed",
            pattern);
      return;
    }
    auto parsed = regex::parse_pattern(pattern);
    if (!parsed) {
      add(where, "Regex pattern not analysed: " + parsed.error().reason + " at byte " + std::to_string(parsed.error().offset),
          pattern);
      return;
    }
    const auto cost = regex::backtracking_cost(*parsed, kWorkPerPattern);
    if (cost.too_complex)
      add(where, "Regex pattern too large to analyse for backtracking within the work limit", pattern);
    else if (cost.exponential)
      add(where,
          "Regex pattern backtracks exponentially: a loop can read the same text in two ways, so one failing match "
          "of n characters tries about 2^n ways",
          pattern);
    else if (cost.polynomial_degree > 0)
      add(where,
          "Regex pattern backtracks polynomially: " + std::to_string(cost.polynomial_degree + 1) +
              " loops can share the same text before the match fails, about n^" +
              std::to_string(cost.polynomial_degree + 1) + " steps per match attempt and n^" +
              std::to_string(cost.polynomial_degree + 2) + " per text of n characters",
          pattern);
  }

  void add(const std::string& where, std::string message, const std::string& pattern) {
    report_.add(make_finding(rule("MG-HF-TOKENIZER-REGEX"), origin_, std::nullopt, where + ": " + std::move(message),
                             shown_pattern(pattern)));
  }

  const std::string& origin_;
  ArtifactReport& report_;
  std::size_t count_ = 0;
};

}  // namespace

void analyse_tokenizer_patterns(const nlohmann::json& doc, const std::string& origin, ArtifactReport& report) {
  if (!doc.is_object()) return;
  PatternWalk walk(origin, report);
  for (const char* key : {"normalizer", "pre_tokenizer", "decoder", "post_processor"})
    if (auto v = doc.find(key); v != doc.end()) walk.walk(*v, key, 0);
}

}  // namespace modelgate
