// ValueList, the items of a pickle graph node: two values inline, more on the heap, with the value
// semantics of the vector it replaced.
#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

#include "pickle/value.h"

namespace pickle_value_list_test {

using namespace modelgate::pickle;

namespace {

Value integer(std::int64_t i) {
  Value v;
  v.kind = Kind::integer;
  v.i = i;
  return v;
}

std::vector<std::int64_t> integers(const ValueList& l) {
  std::vector<std::int64_t> out;
  for (const Value& v : l) out.push_back(v.i);
  return out;
}

}  // namespace

TEST(PickleValueList, GrowsFromInlineToHeapKeepingEveryItem) {
  ValueList l;
  EXPECT_TRUE(l.empty());
  std::vector<std::int64_t> expected;
  for (std::int64_t i = 0; i < 100; ++i) {
    l.push_back(integer(i));
    expected.push_back(i);
    ASSERT_EQ(integers(l), expected) << "after " << i + 1 << " items";
  }
  EXPECT_EQ(l.front().i, 0);
  EXPECT_EQ(l.back().i, 99);
  EXPECT_EQ(l.at(42).i, 42);
  EXPECT_THROW((void)l.at(100), std::out_of_range);
  Value more[3] = {integer(100), integer(101), integer(102)};
  l.append(more, more + 3);
  EXPECT_EQ(l.size(), 103u);
  EXPECT_EQ(l[102].i, 102);
}

// An item of the list itself can be pushed or appended, across every growth (inline to heap, heap
// to a larger heap): it is copied before the storage it lives in is freed, which the value stack's
// DUP did not do (the sanitizer suite runs this).
TEST(PickleValueList, ItsOwnItemsCanBePushedAndAppendedWhileItGrows) {
  ValueList l;
  l.push_back(integer(7));
  l.push_back(integer(8));
  std::vector<std::int64_t> expected{7, 8};
  for (int i = 0; i < 40; ++i) {
    l.push_back(l.back());
    expected.push_back(expected.back());
    l.append(&l[0], &l[0] + 2);
    expected.push_back(7);
    expected.push_back(8);
    ASSERT_EQ(integers(l), expected) << "round " << i;
  }
}

TEST(PickleValueList, CopiesAreIndependentAndMovesLeaveTheSourceEmpty) {
  for (std::size_t n : {0u, 1u, 2u, 3u, 17u}) {
    ValueList a;
    for (std::size_t i = 0; i < n; ++i) a.push_back(integer(static_cast<std::int64_t>(i)));
    ValueList b = a;
    b.push_back(integer(-1));
    EXPECT_EQ(a.size(), n);
    EXPECT_EQ(b.size(), n + 1);
    ValueList c = std::move(b);
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_EQ(c.size(), n + 1);
    EXPECT_EQ(c.back().i, -1);
    b.push_back(integer(7));  // a moved-from list is usable
    EXPECT_EQ(integers(b), std::vector<std::int64_t>{7});
    c = a;
    EXPECT_EQ(integers(c), integers(a));
    c = std::move(a);
    EXPECT_EQ(c.size(), n);
    ValueList d(c.begin(), c.end());
    d.reserve(64);
    EXPECT_EQ(integers(d), integers(c));
  }
}

}  // namespace pickle_value_list_test
