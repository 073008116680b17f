// ArtifactReport::facts is opaque to the public API but a value: copies are independent, a new or
// moved-from one reads as an empty object and takes writes.
#include <utility>

#include <gtest/gtest.h>

#include "core/display_facts.h"
#include "modelgate/report.h"

namespace display_facts_test {

namespace {

using modelgate::ArtifactReport;
using modelgate::DisplayFacts;
using modelgate::json_of;
using nlohmann::json;

TEST(DisplayFacts, NewFactsAreAnEmptyObject) {
  const DisplayFacts facts;
  EXPECT_EQ(json_of(facts), json::object());
  DisplayFacts written;
  json_of(written)["members"] = 3;
  EXPECT_EQ(json_of(written), (json{{"members", 3}}));
}

TEST(DisplayFacts, ACopyIsIndependent) {
  ArtifactReport a;
  json_of(a.facts)["members"] = 3;
  ArtifactReport b = a;
  json_of(b.facts)["members"] = 4;
  EXPECT_EQ(json_of(a.facts)["members"], 3);
  EXPECT_EQ(json_of(b.facts)["members"], 4);
  a = b;
  json_of(b.facts).erase("members");
  EXPECT_EQ(json_of(a.facts)["members"], 4);
  a.facts = DisplayFacts{};
  EXPECT_EQ(json_of(std::as_const(a).facts), json::object());
}

TEST(DisplayFacts, AMoveTakesTheFactsAndLeavesAnEmptyObject) {
  ArtifactReport a;
  json_of(a.facts)["tensors"] = 7;
  ArtifactReport b = std::move(a);
  EXPECT_EQ(json_of(b.facts), (json{{"tensors", 7}}));
  EXPECT_EQ(json_of(std::as_const(a).facts), json::object());
  json_of(a.facts)["tensors"] = 1;                             
  b = std::move(a);
  EXPECT_EQ(json_of(b.facts), (json{{"tensors", 1}}));
}

}  // namespace

}  // namespace display_facts_test
