// YAML documents read as PyYAML's SafeLoader constructs them (readers/yaml_document.h). The
// configurations whose loaders run them are proven in tests/fixtures/make_yaml_keys.py.
#include <gtest/gtest.h>

#include <string>

#include "readers/yaml_document.h"

namespace yaml_document_test {

using nlohmann::json;
using modelgate::yaml::read_documents;
using modelgate::yaml::read_node_tags;

json one(std::string_view text) {
  auto docs = read_documents(text, 128);
  EXPECT_TRUE(docs.ok()) << (docs ? "" : docs.error().reason);
  if (!docs || docs->size() != 1) return json();
  return (*docs)[0];
}

TEST(YamlDocument, ValuesOnFollowingLinesAndBlockScalarsAreRead) {
  EXPECT_EQ(one("m:\n  type:\n    os.system\n")["m"]["type"], "os.system");
  EXPECT_EQ(one("m:\n  type: >-\n    os.\n    system\n")["m"]["type"], "os. system");
  EXPECT_EQ(one("m:\n  type: |\n    os.system\n")["m"]["type"], "os.system\n");
  EXPECT_EQ(one("m: {a: 1,\n  type:\n   os.system}\n")["m"]["type"], "os.system");
  EXPECT_EQ(one("m:\n  t: \"os.\\\n    system\"\n")["m"]["t"], "os.system");
  EXPECT_EQ(one("\xEF\xBB\xBFm: x\r\n")["m"], "x");
  EXPECT_EQ(one("m:\xC2\x85  t: x\n")["m"]["t"], "x");  // NEL is a line break
}

TEST(YamlDocument, PlainScalarsResolveAsPyYamlResolvesThem) {
  json d = one("a: yes\nb: Off\nc: ~\nd: 12\ne: -3\nf: '12'\ng: 1.5\nh: 012\ni: !!str true\nj:\n");
  EXPECT_EQ(d["a"], true);
  EXPECT_EQ(d["b"], false);
  EXPECT_TRUE(d["c"].is_null());
  EXPECT_EQ(d["d"], 12);
  EXPECT_EQ(d["e"], -3);
  EXPECT_EQ(d["f"], "12");
  // Floats and the other integer forms (octal 012 is 10 to PyYAML) are left as their text: no
  // configuration check tells them apart.
  EXPECT_EQ(d["g"], "1.5");
  EXPECT_EQ(d["h"], "012");
  EXPECT_EQ(d["i"], "true");
  EXPECT_TRUE(d["j"].is_null());
}

TEST(YamlDocument, MergesAliasesAndDuplicateKeysAsSafeLoaderBuildsThem) {
  // Explicit keys win over merged ones; in a merged sequence the first mapping wins; the last of
  // duplicate keys wins.
  json d = one("a: &a {t: 1, u: 1}\nb: &b {t: 2, v: 2}\n"
               "c:\n  <<: [*a, *b]\n  u: 3\nd: {<<: *b, t: 4, t: 5}\n'<<': {x: 1}\n");
  EXPECT_EQ(d["c"], (json{{"t", 1}, {"u", 3}, {"v", 2}}));
  EXPECT_EQ(d["d"], (json{{"t", 5}, {"v", 2}}));
  EXPECT_EQ(d["<<"], (json{{"x", 1}}));  // a quoted "<<" is an ordinary key
  // An alias as a key reads its anchor's scalar.
  EXPECT_EQ(one("k: &k _target_\nm: {*k : os.system}\n")["m"]["_target_"], "os.system");
  // A collection holding itself is read as far as it goes.
  EXPECT_EQ(one("a: &a [1, *a]\n")["a"], (json{1, nullptr}));
}

TEST(YamlDocument, EveryDocumentOfTheStreamIsRead) {
  auto docs = read_documents("a: 1\n---\nb: 2\n...\n---\n- c\n", 128);
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[2], (json{"c"}));
}

TEST(YamlDocument, ExpansionAndNestingAreBounded) {
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    laughs += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) +
              ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
              char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
  auto expanded = read_documents(laughs, 128);
  ASSERT_FALSE(expanded.ok());
  EXPECT_EQ(expanded.error().rule.view(), "MG-LIMIT-EXCEEDED");

  auto deep = read_documents(std::string(200, '[') + std::string(200, ']'), 128);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().rule.view(), "MG-LIMIT-EXCEEDED");
}

// libyaml's scanner costs the depth of the open flow collections per token: a million nested `[`
// would take hours. Both readers stop where the scanner first passes the limit, whatever follows;
// within one lookahead (a line, at most 1024 characters) the work is bounded whatever the depth.
TEST(YamlDocument, DeepFlowNestingStopsWithinTheScannersLookahead) {
  for (const std::string& prefix : {std::string(), std::string("x: "), std::string("a:\n  - b: !new:x.Y ")}) {
    const std::string text = prefix + std::string(1'000'000, '[') + std::string(1'000'000, ']');
    auto docs = read_documents(text, 128);
    ASSERT_FALSE(docs.ok());
    EXPECT_EQ(docs.error().rule.view(), "MG-LIMIT-EXCEEDED");
    EXPECT_LT(docs.error().offset, prefix.size() + 128 + 1100);
    auto tags = read_node_tags(text, '(', 1000, 128);
    ASSERT_FALSE(tags.ok());
    EXPECT_EQ(tags.error().rule.view(), "MG-LIMIT-EXCEEDED");
    EXPECT_LT(tags.error().offset, prefix.size() + 128 + 1100);
    EXPECT_NE(tags.error().reason.find("flow collections"), std::string::npos);
  }
  std::string mixed = "a: ";
  std::string closing;
  for (int i = 0; i < 129; ++i) {
    mixed += i % 2 ? "{k:\n " : "[\n";  // one line each: libyaml looks ahead within a line
    closing.insert(0, i % 2 ? "}" : "]");
  }
  auto deep_mixed = read_node_tags(mixed + "x" + closing, std::nullopt, 1000, 128);
  ASSERT_FALSE(deep_mixed.ok());
  EXPECT_EQ(deep_mixed.error().rule.view(), "MG-LIMIT-EXCEEDED");
  EXPECT_TRUE(read_node_tags("a: " + std::string(128, '[') + std::string(128, ']'), std::nullopt, 1000, 128).ok());
}

TEST(YamlDocument, WhatPyYamlRejectsIsAnErrorWithItsOffset) {
  auto undefined = read_documents("a: *nowhere\n", 128);
  ASSERT_FALSE(undefined.ok());
  EXPECT_TRUE(undefined.error().rule.empty());
  auto broken = read_documents("a: [1, 2\nb: 3\n", 128);
  ASSERT_FALSE(broken.ok());
  EXPECT_GT(broken.error().offset, 0u);
  EXPECT_NE(broken.error().reason.find("YAML"), std::string::npos);
}

}  // namespace yaml_document_test
