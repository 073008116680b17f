// YAML tags as PyYAML resolves them (readers/yaml_tags.h), and YAML whose tags ask for Python objects
// found unsafe: tests/fixtures/make_yaml_tags.py proves with yaml.unsafe_load that each payload runs.
#include <gtest/gtest.h>

#include "modelgate/scan.h"
#include "readers/yaml_tags.h"
#include "test_util.h"

namespace yaml_tags_test {

using namespace modelgate;

std::vector<std::string> resolved(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& t : yaml::find_tags(text)) out.push_back(t.resolved);
  return out;
}

TEST(YamlTags, HandlesAndEscapesResolveAsPyYamlResolvesThem) {
  EXPECT_EQ(resolved("a: !!python/name:os.system\n"), std::vector<std::string>{"tag:yaml.org,2002:python/name:os.system"});
  EXPECT_EQ(resolved("%TAG !p! tag:yaml.org,2002:py\n---\na: !p!thon/tuple [1]\n"),
            std::vector<std::string>{"tag:yaml.org,2002:python/tuple"});
  EXPECT_EQ(resolved("a: !<tag:yaml.org,2002:pyth%6Fn/module:os> x\n"),
            std::vector<std::string>{"tag:yaml.org,2002:python/module:os"});
  EXPECT_EQ(resolved("- !local x\n- [!!str a]\n"),
            (std::vector<std::string>{"!local", "tag:yaml.org,2002:str"}));
}

TEST(YamlTags, QuotedScalarsCommentsAndPlainTextHoldNoTags) {
  EXPECT_TRUE(resolved("a: '!!python/name:os.system'\nb: \"x \\\" !!python/module:os\"\nc: 'it''s !!python/x'\n").empty());
  EXPECT_TRUE(resolved("# !!python/object/apply:os.system\nx: 1 # !!python/name:os\n").empty());
  EXPECT_TRUE(resolved("msg: Hello!world\n").empty());
}

// A handle defined twice (in two documents) resolves both ways: neither hides the other.
TEST(YamlTags, AHandleDefinedTwiceResolvesBothWays) {
  auto tags = resolved("%TAG !p! tag:example.com,2000:\n---\na: 1\n...\n%TAG !p! tag:yaml.org,2002:python/\n---\n"
                       "b: !p!name:os.system\n");
  EXPECT_NE(std::find(tags.begin(), tags.end(), "tag:yaml.org,2002:python/name:os.system"), tags.end());
  EXPECT_TRUE(yaml::has_python_tags("%TAG !p! tag:yaml.org,2002:python/\n---\nb: !p!name:os.system\n"));
}

TEST(YamlTags, EveryFixtureGetsItsVerdictAndThePayloadsRun) {
  const auto& f = mgtest::generated_fixtures("make_yaml_tags.py");
  ASSERT_TRUE(f.ok) << f.log;
  for (const auto& [name, entry] : f.manifest.items()) {
    EXPECT_EQ(entry["executed"].get<bool>(), entry["payload"].get<bool>()) << name << ": " << entry["loader"];
    auto result = scan_paths({f.dir / name}, ScanOptions{});
    ASSERT_EQ(result.artifacts.size(), 1u) << name;
    EXPECT_EQ(to_string(result.artifacts[0].status), entry["expect"].get<std::string>()) << name;
  }
}

}  // namespace yaml_tags_test
