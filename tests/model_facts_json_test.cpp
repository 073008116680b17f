// ModelFacts cross two trust boundaries as JSON (a parse worker's result, an inventory row): every
// field survives the trip, and anything modelgate does not write is refused rather than defaulted.
#include <gtest/gtest.h>

#include "core/model_facts_json.h"
#include "core/strict_json.h"

namespace model_facts_json_test {

namespace {

using modelgate::ModelFacts;
using nlohmann::json;

ModelFacts every_field_set() {
  ModelFacts f;
  f.license = "apache-2.0";
  f.name = "tiny";
  f.architectures = {"LlamaForCausalLM"};
  f.model_type = "llama";
  f.parameters = 1234;
  f.dtypes = {{"F16", 3}, {"I8", 1}};
  f.quantization = "Q4_K_M";
  f.context_length = 4096;
  f.datasets = {"wikitext"};
  f.base_models = {"org/base"};
  f.base_model_relation = "finetune";
  f.languages = {"en", "fr"};
  f.task = "text-generation";
  f.library = "transformers";
  f.inputs = {"pixel_values: F32[batch,3,224,224]"};
  f.outputs = {"logits: F32[batch,1000]"};
  f.shards = {"a.safetensors"};
  f.hub_repository = "model:org/tiny";
  f.hub_revision = std::string(40, 'a');
  f.hub_refs = {"main"};
  f.tensor_count = 3;
  f.tensors = {{"embed.weight", "F32", {16, 8}, {}, 672, 1184},
               {"scale", "BF16", {}, {}, 1184, 1186},
               {"lm_head.weight", "F16", {4, 2}, "archive/data/3", 64, 80}};
  return f;
}

TEST(ModelFactsJson, EveryFieldSurvivesTheStrictReader) {
  ModelFacts f = every_field_set();
  // Through text and the strict reader the worker results and inventory rows use.
  auto parsed = modelgate::read_strict_json(modelgate::model_facts_json(f).dump(), {});
  ASSERT_TRUE(parsed) << parsed.error().reason;
  auto back = modelgate::model_facts_from_json(parsed->value);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(modelgate::model_facts_json(*back), modelgate::model_facts_json(f));
  EXPECT_EQ(back->parameters, f.parameters);
  EXPECT_EQ(back->context_length, f.context_length);
  EXPECT_EQ(back->dtypes, f.dtypes);
  EXPECT_EQ(modelgate::model_facts_json(ModelFacts{}), json::object());
}

TEST(ModelFactsJson, UnknownKeysWrongTypesAndNegativeCountsAreRefused) {
  EXPECT_FALSE(modelgate::model_facts_from_json(json::array()));
  EXPECT_FALSE(modelgate::model_facts_from_json({{"licence", "mit"}}));
  EXPECT_FALSE(modelgate::model_facts_from_json({{"license", 3}}));
  EXPECT_FALSE(modelgate::model_facts_from_json({{"parameters", -1}}));
  EXPECT_FALSE(modelgate::model_facts_from_json({{"parameters", 1.5}}));
  EXPECT_FALSE(modelgate::model_facts_from_json({{"dtypes", {{"F16", "3"}}}}));
  EXPECT_FALSE(modelgate::model_facts_from_json({{"languages", {"en", 1}}}));
  EXPECT_TRUE(modelgate::model_facts_from_json({{"parameters", 0}}));
  const json tensor = {{"name", "w"}, {"dtype", "F32"}, {"shape", {2, 3}}, {"begin", 8}, {"end", 32}};
  EXPECT_TRUE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", {tensor}}}));
  // A list is whole or absent: it must have as many tensors as the count says.
  EXPECT_FALSE(modelgate::model_facts_from_json({{"tensors", {tensor}}}));
  EXPECT_FALSE(modelgate::model_facts_from_json({{"tensor_count", 2}, {"tensors", {tensor}}}));
  EXPECT_TRUE(modelgate::model_facts_from_json({{"tensor_count", 2}}));
  for (const char* key : {"name", "dtype", "shape", "begin", "end"}) {
    json missing = tensor;
    missing.erase(key);
    EXPECT_FALSE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", {missing}}})) << key;
  }
  json extra = tensor;
  extra["data"] = "AAAA";
  EXPECT_FALSE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", {extra}}}));
  json backwards = tensor;
  backwards["begin"] = 40;
  EXPECT_FALSE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", {backwards}}}));
  json negative = tensor;
  negative["shape"] = {2, -3};
  EXPECT_FALSE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", {negative}}}));
  EXPECT_FALSE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", tensor}}));
  // A checkpoint's tensor names the storage record its range is in; the name is never empty.
  json in_storage = tensor;
  in_storage["storage"] = "archive/data/0";
  EXPECT_TRUE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", {in_storage}}}));
  in_storage["storage"] = "";
  EXPECT_FALSE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", {in_storage}}}));
  in_storage["storage"] = 0;
  EXPECT_FALSE(modelgate::model_facts_from_json({{"tensor_count", 1}, {"tensors", {in_storage}}}));
}

}  // namespace

}  // namespace model_facts_json_test
