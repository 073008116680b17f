// The renaming of Python 2 globals, compared with CPython's own (tests/fixtures/make_python2_names.py
// runs the installed Python's _compat_pickle).
#include <gtest/gtest.h>

#include "pickle/python2_names.h"
#include "test_util.h"

namespace pickle_python2_names_test {

namespace {

TEST(PythonTwoNames, EveryRenamingIsCPythons) {
  const auto& fx = mgtest::generated_fixtures("make_python2_names.py");
  ASSERT_TRUE(fx.ok) << fx.log;
  ASSERT_GT(fx.manifest.size(), 140u);
  for (const auto& row : fx.manifest) {
    const std::string module = row[0], name = row[1];
    const auto [module3, name3] = modelgate::pickle::map_python2_name(module, name);
    EXPECT_EQ(module3, row[2].get<std::string>()) << module << "." << name;
    EXPECT_EQ(name3, row[3].get<std::string>()) << module << "." << name;
  }
}

}  // namespace

}  // namespace pickle_python2_names_test
