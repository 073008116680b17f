// FormatDetails: typed per-format details, shown flat under `facts` by the JSON report, kept nested
// by format in an inventory row (read back strictly), and carried field by field by a worker's
// result.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/format_details_json.h"
#include "core/parsed_facts_json.h"
#include "gate/stored_report.h"
#include "sandbox/result_codec.h"
#include "test_util.h"

namespace format_details_test {

namespace {

using modelgate::ArtifactReport;
using modelgate::FileValue;
using modelgate::FormatDetails;
using nlohmann::json;

FormatDetails every_detail() {
  FormatDetails d;
  const FileValue one{std::uint64_t{1}};
  d.pickle = {2, 40};
  d.archive = {{3}};
  d.torch = {"archive", 2, 4, 5, std::vector<std::string>{"code/a.py"}};
  d.safetensors = {{100, 2, 30, {{"F32", 2}}, std::map<std::string, std::string>{{"format", "pt"}}}};
  d.gguf.emplace();
  d.gguf->version = 3;
  d.gguf->architecture = FileValue{std::string("llama")};
  d.gguf->metadata = {{"a.b", {FileValue::Array{one, {}, {2.5}}}}, {"c", {FileValue::Object{{"x", {true}}}}}};
  d.gguf->tensor_types = {{"Q4_K", 7}};
  d.onnx.emplace();
  d.onnx->ir_version = -1;
  d.onnx->opset_import = {{"ai.onnx", 13}};
  d.onnx->custom_domains = std::vector<std::string>{"com.example"};
  d.npy = {{"1.0", "<f4", {2, 3}, false, true, 24}};
  d.saved_model = {{9, 4, modelgate::CountByName{{"MatMul", 1}}, std::nullopt, 0}};
  d.keras.emplace();
  d.keras->keras_version = "3.9.0";
  d.keras->h5_training_config = true;
  d.keras->class_names = modelgate::CountByName{{"Dense", 2}};
  d.sentencepiece = {{8000, "bpe", std::nullopt, "nmt_nfkc"}};
  d.arrays = {{2, 32}};
  d.tflite = {{3, 5, {"Custom"}, 1, 9}};
  d.coreml = {{7, 500, 1, 12}};
  d.coreml_weights = {{2}};
  d.openvino = {{11, 40, {}}};
  d.config.emplace();
  d.config->architectures = FileValue{FileValue::Array{{std::string("LlamaForCausalLM")}}};
  d.config->weight_map_entries = 291;
  d.model_card = std::map<std::string, FileValue>{{"license", {std::string("mit")}}};
  d.hub_cache.emplace();
  d.hub_cache->same_blob_as_earlier_entry = true;
  d.hub_cache->refs = std::vector<std::string>{"main"};
  d.python_encoding = "latin-1";
  d.data_of = "model.onnx";
  d.name_readings = std::vector<std::string>{"template"};
  d.sandbox = modelgate::SandboxLayers{modelgate::SandboxMode::strict, {"seccomp"}, {}, 3, "RLIMIT_DATA 1 bytes"};
  return d;
}

TEST(FormatDetails, AnInventoryRowReadsBackEveryDetail) {
  const FormatDetails d = every_detail();
  const json stored = modelgate::format_details_json(d);
  auto back = modelgate::format_details_from_json(json::parse(stored.dump()));
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_EQ(modelgate::format_details_json(*back), stored);
  ASSERT_TRUE(back->gguf);
  EXPECT_EQ(back->gguf->metadata, d.gguf->metadata);
  EXPECT_EQ(back->onnx->ir_version, -1);
  EXPECT_EQ(back->sandbox, d.sandbox);
}

TEST(FormatDetails, AWorkersResultCarriesEveryDetailButTheConfinement) {
  ArtifactReport r;
  r.details = every_detail();
  auto back = modelgate::sandbox::decode_result(modelgate::sandbox::encode_result(r), {});
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_FALSE(back->report.details.sandbox);  // the broker records it, not the worker
  r.details.sandbox.reset();
  EXPECT_EQ(modelgate::format_details_json(back->report.details), modelgate::format_details_json(r.details));
}

TEST(FormatDetails, TheReportShowsThemFlatAndFlagsOnlyWhenTrue) {
  ArtifactReport r;
  r.details.npy = {{"1.0", "<f4", {}, false, false, std::nullopt}};
  r.details.keras.emplace().h5_model_config = true;
  EXPECT_EQ(modelgate::facts_json(r), (json{{"npy_version", "1.0"},
                                             {"descr", "<f4"},
                                             {"shape", json::array()},
                                             {"fortran_order", false},
                                             {"keras_h5_model_config", true}}));
  EXPECT_EQ(modelgate::facts_json(ArtifactReport{}), json::object());
}

TEST(FormatDetails, AnInventoryRowThatModelgateDidNotWriteIsRefused) {
  auto refused = [](json j, const std::string& why) {
    auto back = modelgate::format_details_from_json(j);
    ASSERT_FALSE(back) << j.dump();
    EXPECT_NE(back.error().reason.find(why), std::string::npos) << back.error().reason;
  };
  refused(json::array(), "not a JSON object");
  refused({{"zip", {{"members", 1}}}}, "a key modelgate does not write");
  refused({{"archive", {{"members", 1}, {"extra", 1}}}}, "\"archive\" has the wrong shape");
  refused({{"archive", json::object()}}, "\"archive\" has the wrong shape");        // a field always shown
  refused({{"archive", {{"members", -1}}}}, "\"archive\" has the wrong shape");
  refused({{"keras", {{"keras_h5_model_config", false}}}}, "\"keras\" has the wrong shape");  // shown only when true
  refused({{"npy", {{"npy_version", "1.0"}, {"descr", "<f4"}, {"shape", json::array()}}}}, "\"npy\"");
  refused({{"sandbox", {{"mode", "sometimes"}}}}, "\"sandbox\" has the wrong shape");
  refused({{"name_readings", {1}}}, "\"name_readings\" has the wrong shape");
}

// The committed seeds of the worker-result fuzz target (scripts/make-fuzz-corpus writes them in
// this encoding) are results the broker accepts, so that the fuzzer starts past the header.
TEST(FormatDetails, TheWorkerResultSeedsDecode) {
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(mgtest::source_dir() / "fuzz/corpus/sandbox_result")) {
    if (entry.path().filename().string().rfind("regression", 0) == 0) continue;
    const std::string bytes = mgtest::read_file(entry.path());
    auto r = modelgate::sandbox::decode_result(
        modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), {});
    EXPECT_TRUE(r) << entry.path() << ": " << (r ? "" : r.error().reason);
    ++seeds;
  }
  EXPECT_GE(seeds, 5u);
}

// The stored_report fuzz target's seed is a row the inventory accepts.
TEST(FormatDetails, TheInventoryRowSeedDecodes) {
  const std::string row = mgtest::read_file(mgtest::source_dir() / "fuzz/corpus/stored_report/row.json");
  const json j = json::parse(row);
  modelgate::ResultKey key;
  key.size = j["size"].get<std::uint64_t>();
  key.sha256 = j["sha256"].get<std::string>();
  auto r = modelgate::decode_stored_report(row, key);
  ASSERT_TRUE(r) << r.error().reason;
  ASSERT_TRUE(r->details.torch);
  EXPECT_EQ(r->details.torch->storages, 1u);
  EXPECT_EQ(json::parse(modelgate::encode_stored_report(*r)), j);
}

}  // namespace

}  // namespace format_details_test
