// The compile-time list of rule ids (generated from the modules' tables) is exactly the catalog.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/rule_catalog.h"
#include "core/rule_id.h"

namespace rule_ids_test {

TEST(RuleIds, TheCompileTimeListIsTheCatalog) {
  std::set<std::string> listed, catalog;
  for (std::string_view id : modelgate::rule_ids::kAll) EXPECT_TRUE(listed.emplace(id).second) << id << " listed twice";
  for (const auto& r : modelgate::all_rules()) catalog.emplace(r.id);
  EXPECT_EQ(listed, catalog);
  EXPECT_EQ(modelgate::rule("MG-LIMIT-EXCEEDED").id, "MG-LIMIT-EXCEEDED");
  EXPECT_THROW(modelgate::rule(modelgate::RuleId{}), std::logic_error);
}

}  // namespace rule_ids_test
