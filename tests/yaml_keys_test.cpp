// YAML keys as PyYAML reads them (readers/yaml_keys.h) and the configuration readings that use them
// (latent-diffusion `target`, Hydra `_target_`, mmengine `type`/`custom_imports`, ckpt_path):
// tests/fixtures/make_yaml_keys.py proves with yaml.safe_load and the loaders' own code that each
// hidden key is the key and that each payload runs.
#include <gtest/gtest.h>

#include "modelgate/scan.h"
#include "readers/yaml_keys.h"
#include "test_util.h"

namespace yaml_keys_test {

using namespace modelgate;

std::string findings(const ArtifactReport& r) {
  std::string out;
  for (const auto* f : r.all_findings()) out += "  " + f->rule + ": " + f->message + "\n";
  return out;
}

TEST(YamlKeys, EveryPyYamlLineBreakBecomesLfAndOffsetsMapBack) {
  const std::string text = "a:\r  b: 1\r\nc:\xC2\x85  d: 2\xE2\x80\xA8" "e: 3\xE2\x80\xA9" "f: x";
  const auto lf = yaml::normalise_line_breaks(text);
  EXPECT_EQ(lf.text, "a:\n  b: 1\nc:\n  d: 2\ne: 3\nf: x");
  EXPECT_EQ(text.substr(lf.original(lf.text.find("f: x")), 4), "f: x");
  EXPECT_EQ(text.substr(lf.original(lf.text.find("d: 2")), 4), "d: 2");
  EXPECT_EQ(text.substr(lf.original(lf.text.find("b: 1")), 4), "b: 1");
}

TEST(YamlKeys, QuotedScalarsDecodeAsPyYamlFoldsThem) {
  EXPECT_EQ(yaml::decode_double_quoted("tar\\\n   get"), "target");     // an escaped line break
  EXPECT_EQ(yaml::decode_double_quoted("tar\n   get"), "tar get");       // a folded one
  EXPECT_EQ(yaml::decode_double_quoted("a\n\n  b"), "a\nb");             // an empty line is a newline
  EXPECT_EQ(yaml::decode_double_quoted("\\x5ft\\u0061rget_"), "_target_");
  EXPECT_EQ(yaml::decode_double_quoted("\\q"), std::nullopt);
  EXPECT_EQ(yaml::decode_single_quoted("it''s"), "it's");
}

std::vector<std::pair<yaml::KeyForm, std::string>> keys(std::string_view text) {
  std::vector<std::pair<yaml::KeyForm, std::string>> out;
  for (const auto& k : yaml::hidden_keys(yaml::normalise_line_breaks(text).text))
    out.emplace_back(k.form, k.key.value_or("?"));
  return out;
}

TEST(YamlKeys, KeysWhoseTextIsNotTheirSpellingAreListed) {
  using F = yaml::KeyForm;
  EXPECT_EQ(keys("m:\n  !!str target: x\n"), (std::vector<std::pair<F, std::string>>{{F::property, "target"}}));
  EXPECT_EQ(keys("m:\n  &a \"target\": x\n"), (std::vector<std::pair<F, std::string>>{{F::property, "target"}}));
  EXPECT_EQ(keys("m:\n  !!binary dGFyZ2V0: x\n"), (std::vector<std::pair<F, std::string>>{{F::property, "?"}}));
  EXPECT_EQ(keys("k: &k target\nm:\n  *k : x\n"), (std::vector<std::pair<F, std::string>>{{F::alias, "?"}}));
  EXPECT_EQ(keys("m:\n  \"t\\x61rget\": x\n"), (std::vector<std::pair<F, std::string>>{{F::escaped, "target"}}));
  auto flow = keys("m: {? \"tar\\\n get\" : x}\n");
  ASSERT_FALSE(flow.empty());
  EXPECT_EQ(flow[0], (std::pair<F, std::string>{F::explicit_key, "target"}));
  // A quote inside a plain scalar opens nothing: the explicit key after it is still found.
  auto after_quote = keys("desc: rock 'n\n? \"tar\\\n get\"\n: os.system\nx: 'y'\n");
  ASSERT_FALSE(after_quote.empty());
  EXPECT_EQ(after_quote[0].first, F::explicit_key);
  // Values with properties, quoted values, comments and block scalars hold no keys.
  EXPECT_TRUE(keys("a: !!str x\nb: &b 1\nc: *b\nd: \"x: y\"\n# &a target: x\ne: |\n  &a target: x\n  'q\nf: 'q'\n")
                  .empty());
}

TEST(YamlKeys, EveryFixtureGetsItsVerdictAndThePayloadsRun) {
  const auto& f = mgtest::generated_fixtures("make_yaml_keys.py");
  ASSERT_TRUE(f.ok) << f.log;
  for (const auto& [name, entry] : f.manifest.items()) {
    EXPECT_EQ(entry["executed"].get<bool>(), entry["payload"].get<bool>()) << name << ": " << entry["outcome"];
    auto result = scan_paths({f.dir / name}, ScanOptions{});
    ASSERT_EQ(result.artifacts.size(), 1u) << name;
    EXPECT_EQ(to_string(result.artifacts[0].status), entry["expect"].get<std::string>())
        << name << " (PyYAML reads " << entry["pyyaml"] << ")\n" << findings(result.artifacts[0]);
  }
  auto rule_of = [&](const char* name, const char* rule) {
    return mgtest::has_rule(scan_paths({f.dir / name}, ScanOptions{}).artifacts[0], rule);
  };
  EXPECT_TRUE(rule_of("mm_type_custom.yaml", "MG-MMENGINE-TYPE"));
  EXPECT_TRUE(rule_of("mm_type.json", "MG-MMENGINE-TYPE"));
  EXPECT_TRUE(rule_of("mm_custom_imports.yaml", "MG-MMENGINE-CUSTOM-IMPORTS"));
  EXPECT_TRUE(rule_of("sd_ckpt_absolute.yaml", "MG-HF-UNSCANNED-DEPENDENCY"));
  EXPECT_TRUE(rule_of("sd_ckpt_dotdot.yaml", "MG-HF-UNSCANNED-DEPENDENCY"));
  EXPECT_TRUE(rule_of("sd_ckpt_flow.yaml", "MG-HF-UNSCANNED-DEPENDENCY"));
  EXPECT_TRUE(rule_of("sd_version_repo.yaml", "MG-HF-UNSCANNED-DEPENDENCY"));
  EXPECT_TRUE(rule_of("ldm_nel.yaml", "MG-LDM-TARGET"));
  EXPECT_TRUE(rule_of("hydra_flow_explicit.yaml", "MG-CONFIG-DANGEROUS-CALLABLE"));
  EXPECT_TRUE(rule_of("mm_type_next_line.yaml", "MG-MMENGINE-TYPE"));
  EXPECT_TRUE(rule_of("ldm_target_next_line.yaml", "MG-LDM-TARGET"));
  EXPECT_TRUE(rule_of("lightning_class_path.yaml", "MG-CONFIG-CLASS-PATH"));
  EXPECT_FALSE(rule_of("lightning_torch_optim.yaml", "MG-CONFIG-CLASS-PATH"));
  EXPECT_TRUE(rule_of("lightning_torch_alias.yaml", "MG-CONFIG-CLASS-PATH"));
  EXPECT_TRUE(rule_of("mm_pretrained_url.json", "MG-HF-UNSCANNED-DEPENDENCY"));
  EXPECT_TRUE(rule_of("mm_base_outside.json", "MG-HF-UNSCANNED-DEPENDENCY"));
  EXPECT_TRUE(rule_of("mm_scope_function.json", "MG-CONFIG-DANGEROUS-CALLABLE"));
  for (const char* name : {"libyaml_tab_block.yaml", "libyaml_yaml13.yaml", "libyaml_reserved_directive.yaml",
                           "libyaml_class_path.yaml"})
    EXPECT_TRUE(rule_of(name, "MG-YAML-UNREADABLE")) << name;
}

// A finding's offset is into the file as written, not into its LF rewriting.
TEST(YamlKeys, OffsetsPointIntoTheOriginalText) {
  const std::string ls = "\xE2\x80\xA8";
  // A flow mapping puts the file outside the subset: the target is found by the text search.
  const std::string text = "a: {b: 1}" + ls + "c: 2" + ls + "model:" + ls + "  target: os.system" + ls +
                           "  _target_: os.system" + ls;
  auto r = mgtest::scan(text, "config.yaml");
  std::size_t seen = 0;
  for (const auto* f : r.all_findings())
    if ((f->rule == "MG-LDM-TARGET" || f->rule == "MG-CONFIG-CALLABLE") && f->offset) {
      ++seen;
      EXPECT_EQ(text.substr(*f->offset, 6), f->rule == "MG-LDM-TARGET" ? "target" : "_targe") << f->message;
    }
  EXPECT_EQ(seen, 2u) << findings(r);
}

}  // namespace yaml_keys_test
