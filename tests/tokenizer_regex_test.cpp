// tokenizer.json Regex patterns: the backtracking analysis (src/modelgate/regex/) against the engine
// tokenizers runs them with, Oniguruma (Debian's libonig, the version the onig crate vendors is of
// the same 6.9 series), and the scan's report for them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hf/tokenizer_patterns.h"
#include "regex/backtracking_cost.h"
#include "support/oniguruma_steps.h"
#include "test_util.h"

namespace tokenizer_regex_test {

using namespace mgtest;
using modelgate::regex::backtracking_cost;
using modelgate::regex::parse_pattern;

const nlohmann::json& corpus() {
  static const nlohmann::json c = nlohmann::json::parse(read_file(source_dir() / "tests/fixtures/tokenizer_patterns.json"));
  return c;
}

std::string attack_text(const nlohmann::json& attack) {
  std::string s;
  for (int i = 0; i < attack["times"].get<int>(); ++i) s += attack["repeat"].get<std::string>();
  return s + attack["suffix"].get<std::string>();
}

// Texts that make the real patterns work hardest: long runs of each kind of character, ended by
// one that no loop takes.
std::vector<std::string> hard_texts() {
  std::vector<std::string> texts;
  for (const char* unit : {" ", "\n", "a", "1", "!", " a", "\r\n", "’s", "中", "é", "\t "})
    for (const char* end : {"", "!", "\x01", " ", "1"}) {
      std::string s;
      for (int i = 0; i < 2000; ++i) s += unit;
      texts.push_back(s + end);
    }
  for (const auto& h : corpus()["hostile"]) texts.push_back(attack_text(h["attack"]));
  return texts;
}

// The ASCII part of each general category is exact: checked against Python's unicodedata.
TEST(TokenizerRegex, AsciiMembersOfGeneralCategoriesAreUnicodes) {
  const char* categories[] = {"L", "Lu", "Ll", "N", "Nd", "P", "Pc", "Pd", "Ps", "Pe", "Po",
                              "S", "Sm", "Sc", "Sk", "Z", "Zs", "C", "Cc"};
  std::string mine, names;
  for (const char* name : categories) {
    auto set = modelgate::regex::CharSet::property(name);
    ASSERT_TRUE(set) << name;
    mine += name + std::string(":");
    for (char32_t c = 0; c < 128; ++c)
      if (set->overlaps(modelgate::regex::CharSet::character(c))) mine += " " + std::to_string(c);
    mine += "\n";
    names += std::string(names.empty() ? "" : ",") + "'" + name + "'";
  }
  auto r = run(python() + " -c \"import unicodedata\nfor n in [" + names +
               "]: print(n + ':' + ''.join(' %d' % c for c in range(128) if unicodedata.category(chr(c)).startswith(n)))\"");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(mine, r.output);
}

TEST(TokenizerRegex, RealPatternsAreNotReported) {
  for (const auto& r : corpus()["real"]) {
    const auto pattern = r["pattern"].get<std::string>();
    auto parsed = parse_pattern(pattern);
    ASSERT_TRUE(parsed) << r["name"] << ": " << parsed.error().reason;
    auto cost = backtracking_cost(*parsed);
    EXPECT_FALSE(cost.exponential) << r["name"];
    EXPECT_EQ(cost.polynomial_degree, 0) << r["name"];
    EXPECT_FALSE(cost.too_complex) << r["name"];
  }
}

TEST(TokenizerRegex, HostilePatternsAreReportedByKind) {
  for (const auto& h : corpus()["hostile"]) {
    auto parsed = parse_pattern(h["pattern"].get<std::string>());
    ASSERT_TRUE(parsed) << h["name"] << ": " << parsed.error().reason;
    auto cost = backtracking_cost(*parsed);
    if (h["kind"] == "exponential") EXPECT_TRUE(cost.exponential) << h["name"];
    else EXPECT_GE(cost.polynomial_degree, 1) << h["name"];
  }
}

// The analysis' claim, on the real engine. An exponential pattern makes one match attempt on a
// text of forty-odd characters exceed a million backtracking retries (Oniguruma's own count). A
// polynomial one does not show in that count (Oniguruma does not count the steps of a greedy
// loop over single characters), so it is shown by that count or by the search's CPU time on a
// text of a few thousand characters: over a second, where every real pattern on every hard text of
// the same size takes under a fifth of that (the real patterns are quadratic over a whole search,
// a linear match attempt at each position; the hostile ones cubic or worse).
TEST(TokenizerRegex, OnigurumaBacktracksOnTheHostilePatternsOnly) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "a proof about Oniguruma alone, which runs no modelgate code: the normal build runs it";
#endif
  constexpr unsigned long kLimit = 1'000'000;
  for (const auto& h : corpus()["hostile"]) {
    const auto search = oniguruma_search(h["pattern"].get<std::string>(), attack_text(h["attack"]), kLimit);
    ASSERT_NE(search.outcome, OnigurumaOutcome::not_compiled) << h["name"];
    if (h["kind"] == "exponential") EXPECT_EQ(search.outcome, OnigurumaOutcome::stopped_at_limit) << h["name"];
    else EXPECT_TRUE(search.outcome == OnigurumaOutcome::stopped_at_limit || search.cpu_seconds > 1.0) << h["name"];
  }
  const auto texts = hard_texts();
  for (const auto& r : corpus()["real"])
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const auto search = oniguruma_search(r["pattern"].get<std::string>(), texts[i], kLimit);
      EXPECT_EQ(search.outcome, OnigurumaOutcome::finished) << r["name"] << " on text " << i;
      EXPECT_LT(search.cpu_seconds, 0.2) << r["name"] << " on text " << i;
    }
}

TEST(TokenizerRegex, LookaroundsAndAnchorsMayFail) {
  for (const char* p : {R"(\s*\s*$)", R"(\s*\s*(?=x))", R"((?=(a|a)*b))", R"(\s*\s*\b)"}) {
    auto parsed = parse_pattern(p);
    ASSERT_TRUE(parsed) << p;
    auto cost = backtracking_cost(*parsed);
    EXPECT_TRUE(cost.exponential || cost.polynomial_degree > 0) << p;
  }
  // A loop left only at the end of the pattern ends the search: reported as nothing.
  for (const char* p : {R"((a|a)*)", R"(\s*\s*)", R"((a+)+)"}) {
    auto parsed = parse_pattern(p);
    ASSERT_TRUE(parsed) << p;
    auto cost = backtracking_cost(*parsed);
    EXPECT_FALSE(cost.exponential || cost.polynomial_degree > 0) << p;
  }
}

TEST(TokenizerRegex, UnanalysablePatternsAreErrorsWithOffsets) {
  struct Case {
    const char* pattern;
    std::uint64_t offset;
  };
  for (const Case& c : {Case{R"((a)\1)", 3}, Case{R"(\k<x>)", 0}, Case{"(?~abc)", 0}, Case{"(?(1)a|b)", 0},
                        Case{"(abc", 0}, Case{"abc)", 3}, Case{"[abc", 0}, Case{"*a", 0}, Case{"a{3,2}", 6},
                        Case{"\xff", 0}, Case{"[z-a]", 4}, Case{R"(\)", 0}}) {
    auto parsed = parse_pattern(c.pattern);
    ASSERT_FALSE(parsed) << c.pattern;
    EXPECT_EQ(parsed.error().offset, c.offset) << c.pattern << ": " << parsed.error().reason;
  }
  std::string deep(modelgate::regex::kMaxPatternDepth + 2, '(');
  EXPECT_FALSE(parse_pattern(deep + std::string(modelgate::regex::kMaxPatternDepth + 2, ')')));
  EXPECT_FALSE(parse_pattern(std::string(modelgate::regex::kMaxPatternBytes + 1, 'a')));
}

TEST(TokenizerRegex, LargePatternsStopAtTheWorkLimit) {
  // Many overlapping loops: the cubic check runs out of work, and says so.
  std::string p;
  for (int i = 0; i < 300; ++i) p += "(?:a|b)*";
  p += "c";
  auto parsed = parse_pattern(p);
  ASSERT_TRUE(parsed);
  auto cost = backtracking_cost(*parsed, 1'000'000);
  EXPECT_TRUE(cost.too_complex || cost.polynomial_degree > 0);
}

std::string tokenizer_json(const std::string& pre_tokenizer, std::size_t vocabulary = 4) {
  nlohmann::json d;
  d["version"] = "1.0";
  d["added_tokens"] = nlohmann::json::array();
  d["normalizer"] = nullptr;
  d["pre_tokenizer"] = nlohmann::json::parse(pre_tokenizer);
  d["post_processor"] = nullptr;
  d["decoder"] = {{"type", "ByteLevel"}};
  nlohmann::json vocab = nlohmann::json::object();
  for (std::size_t i = 0; i < vocabulary; ++i) vocab["token" + std::to_string(i)] = i;
  d["model"] = {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}};
  return d.dump();
}

std::string split(const std::string& pattern) {
  return nlohmann::json({{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", "Isolated"}, {"invert", false}}).dump();
}

TEST(TokenizerRegex, ScanReportsHostilePatternsInTokenizerJson) {
  const std::string llama3 = corpus()["real"][1]["pattern"];
  const std::string hostile = corpus()["hostile"][0]["pattern"];
  TempDir d;
  struct Case {
    std::string name, content;
    bool reported;
  };
  const std::string nested =
      R"({"type":"Sequence","pretokenizers":[{"type":"Digits"},)" + split(hostile) + "]}";
  // Past the size read whole (1 MiB), with more values in the pre-tokenizer than a shallow read keeps.
  std::string padded = R"({"type":"Sequence","pretokenizers":[)" + split(hostile);
  for (int i = 0; i < 5000; ++i) padded += R"(,{"type":"Digits","individual_digits":false})";
  padded += "]}";
  const Case cases[] = {
      {"real", tokenizer_json(split(llama3)), false},
      {"hostile", tokenizer_json(split(hostile)), true},
      {"nested", tokenizer_json(nested), true},
      {"large", tokenizer_json(padded, 60000), true},
      {"backreference", tokenizer_json(split(R"((\w)\1+)")), true},
  };
  for (const auto& c : cases) {
    fs::create_directories(d / c.name);
    write_file(d / c.name / "tokenizer.json", c.content);
    auto r = run(modelgate_binary() + " scan --format json " + (d / c.name).string());
    EXPECT_EQ(r.output.find("MG-HF-TOKENIZER-REGEX") != std::string::npos, c.reported) << c.name << ": " << r.output.substr(0, 2000);
    EXPECT_EQ(r.exit_code, c.reported ? 1 : 0) << c.name;
  }
  // A Replace normalizer and decoder, in memory.
  nlohmann::json doc = nlohmann::json::parse(tokenizer_json(split(llama3)));
  doc["normalizer"] = {{"type", "Replace"}, {"pattern", {{"Regex", "(a|a)*b"}}}, {"content", ""}};
  doc["decoder"] = {{"type", "Replace"}, {"pattern", {{"Regex", R"(\s*\s*x)"}}}, {"content", ""}};
  modelgate::ArtifactReport report;
  modelgate::analyse_tokenizer_patterns(doc, "tokenizer.json", report);
  std::size_t found = 0;
  for (const auto* f : report.all_findings()) found += f->rule == "MG-HF-TOKENIZER-REGEX";
  EXPECT_EQ(found, 2u);
}

}  // namespace tokenizer_regex_test
