// The globals a pickle artifact imports, typed in ParsedFacts::pickle_imports and shown under
// facts.pickle_imports: the BOM and the gate read what a checkpoint imports without re-running it.
#include <gtest/gtest.h>

#include "core/parsed_facts_json.h"
#include "pickle_builder.h"
#include "test_util.h"

using modelgate::PickleGlobal;
using modelgate::PickleImports;
using mgtest::PickleBuilder;
using mgtest::scan;
using nlohmann::json;

namespace {

modelgate::ArtifactReport scan_with(const std::string& bytes, const modelgate::Limits& limits) {
  modelgate::ScanOptions opts;
  opts.limits = limits;
  return modelgate::scan_bytes("mem", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts).value();
}

// OrderedDict twice (GLOBAL at 2, STACK_GLOBAL later), os.system once.
std::string three_imports() {
  return PickleBuilder().proto(4).global("collections", "OrderedDict").op(')').reduce().op('0')
      .stack_global("collections", "OrderedDict").op(')').reduce().op('0')
      .global("os", "system").str("true").tuple1().reduce().stop().done();
}

bool same(const PickleGlobal& g, const std::string& module, const std::string& name, std::uint64_t count) {
  return g.module == module && g.name == name && g.count == count;
}

}  // namespace

TEST(PickleImports, EachDistinctGlobalWithItsCountAndFirstOffset) {
  auto r = scan(three_imports());
  ASSERT_EQ(r.format, "pickle");
  ASSERT_TRUE(r.parsed.pickle_imports);
  const PickleImports& i = *r.parsed.pickle_imports;
  EXPECT_EQ(i.count, 3u);
  ASSERT_TRUE(i.listed);
  ASSERT_EQ(i.globals.size(), 2u);
  EXPECT_TRUE(same(i.globals[0], "collections", "OrderedDict", 2));
  EXPECT_EQ(i.globals[0].first_offset, 2u);  // after PROTO
  EXPECT_TRUE(same(i.globals[1], "os", "system", 1));
  EXPECT_GT(i.globals[1].first_offset, i.globals[0].first_offset);
  // The verdict is the machine's, unchanged by the listing.
  EXPECT_EQ(r.status, modelgate::Status::unsafe);
}

TEST(PickleImports, APickleThatImportsNothingSaysSo) {
  auto r = scan(PickleBuilder().proto(2).op('}').str("a").binint1(1).op('s').stop().done());
  ASSERT_TRUE(r.parsed.pickle_imports);
  EXPECT_EQ(r.parsed.pickle_imports->count, 0u);
  EXPECT_TRUE(r.parsed.pickle_imports->listed);
  EXPECT_TRUE(r.parsed.pickle_imports->globals.empty());
}

// Names as the stream writes them: a protocol 2 pickle's Python 2 names are not mapped.
TEST(PickleImports, NamesAreAsWrittenBeforePython2Mapping) {
  auto r = scan(PickleBuilder().proto(2).global("__builtin__", "set").op(']').tuple1().reduce().stop().done());
  ASSERT_TRUE(r.parsed.pickle_imports);
  ASSERT_EQ(r.parsed.pickle_imports->globals.size(), 1u);
  EXPECT_TRUE(same(r.parsed.pickle_imports->globals[0], "__builtin__", "set", 1));
}

// A pickle after the first STOP is read too (some loaders run it): its imports count for the file.
TEST(PickleImports, TrailingStreamsAreMerged) {
  const std::string first = PickleBuilder().proto(2).global("collections", "OrderedDict").op(')').reduce().stop().done();
  const std::string second = PickleBuilder().proto(2).global("collections", "OrderedDict").op(')').reduce().op('0')
                                 .global("builtins", "eval").str("1").tuple1().reduce().stop().done();
  auto r = scan(first + second);
  ASSERT_TRUE(r.parsed.pickle_imports);
  const PickleImports& i = *r.parsed.pickle_imports;
  EXPECT_EQ(i.count, 3u);
  ASSERT_EQ(i.globals.size(), 2u);
  EXPECT_TRUE(same(i.globals[0], "builtins", "eval", 1));
  EXPECT_EQ(i.globals[0].first_offset, first.size() + 2 + 25 + 3);  // PROTO, GLOBAL, EMPTY_TUPLE REDUCE POP
  EXPECT_TRUE(same(i.globals[1], "collections", "OrderedDict", 2));
  EXPECT_EQ(i.globals[1].first_offset, 2u);
}

// Past Limits::max_listed_imports distinct globals the list is absent, never partial; the count stays.
TEST(PickleImports, PastTheListingLimitImportsAreCountedNotListed) {
  modelgate::Limits limits;
  limits.max_listed_imports = 2;
  auto two = scan_with(three_imports(), limits);
  ASSERT_TRUE(two.parsed.pickle_imports);
  EXPECT_TRUE(two.parsed.pickle_imports->listed);
  EXPECT_EQ(two.parsed.pickle_imports->globals.size(), 2u);
  limits.max_listed_imports = 1;
  auto one = scan_with(three_imports(), limits);
  ASSERT_TRUE(one.parsed.pickle_imports);
  EXPECT_EQ(one.parsed.pickle_imports->count, 3u);
  EXPECT_FALSE(one.parsed.pickle_imports->listed);
  EXPECT_TRUE(one.parsed.pickle_imports->globals.empty());
  EXPECT_EQ(one.status, two.status);
  EXPECT_EQ(one.findings.size(), two.findings.size());
  EXPECT_EQ(modelgate::facts_json(one)["pickle_imports"], (json{{"count", 3}}));
}

// The JSON form, which a worker's result and an inventory row carry, reads back to the same facts,
// and the reader refuses every other shape.
TEST(PickleImports, JsonRoundTripAndStrictReading) {
  auto r = scan(three_imports());
  json facts = modelgate::facts_json(r);
  const json shown = facts["pickle_imports"];
  EXPECT_EQ(shown["count"], 3);
  EXPECT_EQ(shown["globals"][0], (json{{"module", "collections"}, {"name", "OrderedDict"}, {"count", 2}, {"first_offset", 2}}));
  auto back = modelgate::take_parsed_facts(facts);
  ASSERT_TRUE(back) << back.error();
  ASSERT_TRUE(back->pickle_imports);
  EXPECT_EQ(back->pickle_imports->count, 3u);
  ASSERT_EQ(back->pickle_imports->globals.size(), 2u);
  EXPECT_TRUE(same(back->pickle_imports->globals[1], "os", "system", 1));

  auto reads = [](json v) {
    json f = {{"pickle_imports", std::move(v)}};
    return static_cast<bool>(modelgate::take_parsed_facts(f));
  };
  EXPECT_TRUE(reads(shown));
  EXPECT_TRUE(reads({{"count", 7}}));
  json wrong_sum = shown;
  wrong_sum["count"] = 4;
  EXPECT_FALSE(reads(wrong_sum));
  json zero = shown;
  zero["globals"][1]["count"] = 0;
  zero["count"] = 2;
  EXPECT_FALSE(reads(zero));
  json extra = shown;
  extra["globals"][0]["via"] = "GLOBAL";
  EXPECT_FALSE(reads(extra));
  json missing = shown;
  missing["globals"][0].erase("first_offset");
  EXPECT_FALSE(reads(missing));
  EXPECT_FALSE(reads({{"count", -1}}));
  EXPECT_FALSE(reads({{"count", 1}, {"globals", json::object()}}));
  EXPECT_FALSE(reads(json::array()));
}
