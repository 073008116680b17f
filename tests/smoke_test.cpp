#include <gtest/gtest.h>

#include "modelgate/rules.h"

namespace smoke_test {

TEST(Rules, CatalogIsSortedAndUnique) {
  const auto& rules = modelgate::all_rules();
  ASSERT_FALSE(rules.empty());
  for (std::size_t i = 1; i < rules.size(); ++i) EXPECT_LT(rules[i - 1].id, rules[i].id);
}

}  // namespace smoke_test
