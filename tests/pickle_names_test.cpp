// The globals a pickle artifact imports and the callables it calls, typed in ParsedFacts::pickle_imports
// and pickle_calls and shown under those `facts` keys: the BOM and the gate read what a checkpoint
// imports and calls without running the machine again.
#include <gtest/gtest.h>

#include "core/parsed_facts_json.h"
#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_names_test {

using modelgate::PickleCall;
using modelgate::PickleCalls;
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

// Whether the strict reader takes `v` under `key` of a report's facts.
bool reads_back(const char* key, json v) {
  json facts = {{key, std::move(v)}};
  return static_cast<bool>(modelgate::take_parsed_facts(facts));
}

bool same_call(const PickleCall& c, const std::string& callable, std::uint64_t count) {
  return c.callable == callable && c.count == count;
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

// Past Limits::max_listed_pickle_names distinct globals the list is absent, never partial; the count stays.
TEST(PickleImports, PastTheListingLimitImportsAreCountedNotListed) {
  modelgate::Limits limits;
  limits.max_listed_pickle_names = 2;
  auto two = scan_with(three_imports(), limits);
  ASSERT_TRUE(two.parsed.pickle_imports);
  EXPECT_TRUE(two.parsed.pickle_imports->listed);
  EXPECT_EQ(two.parsed.pickle_imports->globals.size(), 2u);
  limits.max_listed_pickle_names = 1;
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
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_TRUE(back->pickle_imports);
  EXPECT_EQ(back->pickle_imports->count, 3u);
  ASSERT_EQ(back->pickle_imports->globals.size(), 2u);
  EXPECT_TRUE(same(back->pickle_imports->globals[1], "os", "system", 1));

  auto reads = [](json v) { return reads_back("pickle_imports", std::move(v)); };
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

TEST(PickleCalls, EachCallableByNameWithItsCount) {
  auto r = scan(three_imports());
  ASSERT_TRUE(r.parsed.pickle_calls);
  const PickleCalls& c = *r.parsed.pickle_calls;
  EXPECT_EQ(c.count, 3u);
  EXPECT_EQ(c.indirect, 0u);
  ASSERT_TRUE(c.listed);
  ASSERT_EQ(c.callables.size(), 2u);
  EXPECT_TRUE(same_call(c.callables[0], "collections.OrderedDict", 2));  // two imports of one name
  EXPECT_TRUE(same_call(c.callables[1], "os.system", 1));
}

// A memoised import called again and again is one import and many calls; a call reached through
// getattr is named by what it reaches; the call of a call's result has no static name.
TEST(PickleCalls, MemoisedGetattrAndIndirectCalls) {
  auto memo = PickleBuilder().proto(2).global("collections", "OrderedDict").binput(0).op(')').reduce().op('0');
  for (int i = 0; i < 4; ++i) memo.binget(0).op(')').reduce().op('0');
  auto r = scan(memo.none().stop().done());
  ASSERT_TRUE(r.parsed.pickle_imports && r.parsed.pickle_calls);
  EXPECT_EQ(r.parsed.pickle_imports->count, 1u);
  ASSERT_EQ(r.parsed.pickle_calls->callables.size(), 1u);
  EXPECT_TRUE(same_call(r.parsed.pickle_calls->callables[0], "collections.OrderedDict", 5));

  auto through = scan(PickleBuilder().proto(2).global("builtins", "getattr").global("builtins", "__import__")
                          .str("os").tuple1().reduce().str("system").tuple2().reduce().str("true").tuple1().reduce()
                          .stop().done());
  ASSERT_TRUE(through.parsed.pickle_calls);
  std::vector<std::string> names;
  for (const auto& c : through.parsed.pickle_calls->callables) names.push_back(c.callable);
  EXPECT_EQ(names, (std::vector<std::string>{"builtins.__import__", "builtins.getattr", "os.system"}));

  auto indirect = scan(PickleBuilder().proto(2).global("mypkg", "factory").op(')').reduce().op(')').reduce()
                           .stop().done());
  ASSERT_TRUE(indirect.parsed.pickle_calls);
  EXPECT_EQ(indirect.parsed.pickle_calls->count, 2u);
  EXPECT_EQ(indirect.parsed.pickle_calls->indirect, 1u);
  ASSERT_EQ(indirect.parsed.pickle_calls->callables.size(), 1u);
  EXPECT_TRUE(same_call(indirect.parsed.pickle_calls->callables[0], "mypkg.factory", 1));
}

TEST(PickleCalls, PastTheListingLimitCallsAreCountedNotListed) {
  modelgate::Limits limits;
  limits.max_listed_pickle_names = 1;
  auto r = scan_with(three_imports(), limits);
  ASSERT_TRUE(r.parsed.pickle_calls);
  EXPECT_EQ(r.parsed.pickle_calls->count, 3u);
  EXPECT_FALSE(r.parsed.pickle_calls->listed);
  EXPECT_TRUE(r.parsed.pickle_calls->callables.empty());
  EXPECT_EQ(modelgate::facts_json(r)["pickle_calls"], (json{{"count", 3}, {"indirect", 0}}));
}

TEST(PickleCalls, JsonRoundTripAndStrictReading) {
  auto r = scan(three_imports());
  json facts = modelgate::facts_json(r);
  const json shown = facts["pickle_calls"];
  EXPECT_EQ(shown, (json{{"count", 3}, {"indirect", 0}, {"callables", {{{"callable", "collections.OrderedDict"}, {"count", 2}},
                                                                       {{"callable", "os.system"}, {"count", 1}}}}}));
  auto back = modelgate::take_parsed_facts(facts);
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_TRUE(back->pickle_calls);
  EXPECT_EQ(back->pickle_calls->count, 3u);
  ASSERT_EQ(back->pickle_calls->callables.size(), 2u);

  auto reads = [](json v) { return reads_back("pickle_calls", std::move(v)); };
  EXPECT_TRUE(reads(shown));
  EXPECT_TRUE(reads({{"count", 5}, {"indirect", 5}}));
  EXPECT_FALSE(reads({{"count", 5}, {"indirect", 6}}));
  EXPECT_FALSE(reads({{"count", 5}}));
  json with_indirect = shown;
  with_indirect["indirect"] = 1;
  EXPECT_FALSE(reads(with_indirect));  // the sum no longer matches
  with_indirect["count"] = 4;
  EXPECT_TRUE(reads(with_indirect));
  json zero = shown;
  zero["callables"][0]["count"] = 0;
  zero["count"] = 1;
  EXPECT_FALSE(reads(zero));
  json extra = shown;
  extra["callables"][0]["offset"] = 2;
  EXPECT_FALSE(reads(extra));
}

}  // namespace pickle_names_test
