// The tensor list of a PyTorch checkpoint (ModelFacts::tensors) in its three layouts: zip, legacy
// and the pre-1.0 tar. tests/fixtures/torch_tensor_list.py saves state dicts of views, dtypes and
// nested dicts with torch.save in the zip and legacy layouts (make_torch_tar.py builds the tar
// ones), modelgate scans them, and the script checks every list against torch.load: names, dtypes,
// shapes, where each tensor's bytes are, and that a file with no list is no state dict. Then the
// readings a small pickle can blow up through the memo: one long string named by every reference.
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "core/model_facts_json.h"
#include "pickle_builder.h"
#include "test_util.h"
#include "zip_builder.h"

namespace checkpoint_tensors_test {

namespace {

using namespace mgtest;

// Where a layout's scan puts the tensor list: the zip's data.pkl child, else the file's own report.
const modelgate::ModelFacts& tensor_facts(const modelgate::ArtifactReport& file) {
  for (const auto& c : file.children)
    if (c.origin.size() > 9 && c.origin.substr(c.origin.size() - 9) == "/data.pkl") return c.model;
  return file.model;
}

nlohmann::json listed_json(const modelgate::ModelFacts& model) {
  if (!model.tensor_count) return nullptr;
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : model.tensors) {
    nlohmann::json entry = {{"name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}, {"begin", t.begin}, {"end", t.end}};
    if (!t.storage.empty()) entry["storage"] = t.storage;
    tensors.push_back(std::move(entry));
  }
  return tensors;
}

std::string script() { return python() + " " + (source_dir() / "tests/fixtures/torch_tensor_list.py").string(); }

TEST(CheckpointTensors, EveryListIsTorchLoadsOwnInEveryLayout) {
  TempDir dir;
  auto made = run(script() + " make " + dir.path().string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto tar = run(python() + " " + (source_dir() / "tests/fixtures/make_torch_tar.py").string() + " " + dir.path().string());
  ASSERT_EQ(tar.exit_code, 0) << tar.output;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir.path()))
    if (e.path().extension() == ".pt") files.push_back(e.path().filename().string());
  // The tar fixtures torch.load reads as they are; the others are tricks the scan refuses.
  auto manifest = nlohmann::json::parse(read_file(dir / "manifest.json"));
  std::erase_if(files, [&](const std::string& f) {
    return manifest.contains(f) && manifest[f]["expect"] != nlohmann::json::array({"safe"});
  });
  nlohmann::json listed = nlohmann::json::object();
  std::size_t lists = 0;
  for (const auto& name : files) {
    modelgate::ScanOptions opts;
    opts.threads = 1;
    auto result = modelgate::scan_paths({dir / name}, opts);
    ASSERT_EQ(result.artifacts.size(), 1u);
    const auto& model = tensor_facts(result.artifacts[0]);
    if (model.tensor_count) {
      ++lists;
      EXPECT_EQ(*model.tensor_count, model.tensors.size()) << name;
    } else {
      EXPECT_TRUE(model.tensors.empty()) << name;
    }
    listed[name] = listed_json(model);
    // The confined worker's result carries the same list.
    opts.sandbox = modelgate::SandboxMode::strict;
    auto confined = modelgate::scan_paths({dir / name}, opts);
    ASSERT_EQ(confined.artifacts.size(), 1u);
    EXPECT_EQ(modelgate::model_facts_json(tensor_facts(confined.artifacts[0])), modelgate::model_facts_json(model)) << name;
  }
  EXPECT_GE(lists, 13u);  // four state dicts in two layouts, five tar checkpoints
  write_file(dir / "listed.json", listed.dump());
  auto checked = run(script() + " verify " + dir.path().string());
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  std::cout << "  " << checked.output;
}

TEST(CheckpointTensors, PastTheListingLimitTensorsAreCountedNotListed) {
  TempDir dir;
  auto made = run(script() + " make " + dir.path().string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  modelgate::ScanOptions opts;
  opts.threads = 1;
  opts.limits.max_listed_tensors = 5;  // views holds 6
  for (const char* name : {"views.pt", "views.legacy.pt"}) {
    auto result = modelgate::scan_paths({dir / name}, opts);
    ASSERT_EQ(result.artifacts.size(), 1u);
    const auto& model = tensor_facts(result.artifacts[0]);
    EXPECT_EQ(model.tensor_count, 6u) << name;
    EXPECT_TRUE(model.tensors.empty()) << name;
  }
}

// 20,000 persistent ids that all name one memoised 1 MiB storage key: a 1 MiB data.pkl whose ids,
// copied one by one, would take 20 GiB. An id with a key longer than torch ever writes is refused
// before anything is copied.
TEST(CheckpointTensors, PersistentIdsReusingALongKeyAreRefusedUncopied) {
  PickleBuilder b;
  b.proto(2).op(']').mark();
  b.mark().str("storage").global("torch", "FloatStorage").str(std::string(1 << 20, '7')).str("cpu").binint(1);
  b.op('t').binput(1).op('Q');
  for (int i = 0; i < 20000; ++i) b.binget(1).op('Q');
  const std::string pkl = b.op('e').stop().done();
  TempDir dir;
  write_file(dir / "ids.pt", build_zip({{"archive/data.pkl", pkl}, {"archive/version", "3\n"}}));
  modelgate::ScanOptions opts;
  opts.threads = 1;
  auto result = modelgate::scan_paths({dir / "ids.pt"}, opts);
  ASSERT_EQ(result.artifacts.size(), 1u);
  EXPECT_TRUE(has_rule(result.artifacts[0], "MG-TORCH-PERSISTENT-ID"));
  EXPECT_NE(result.artifacts[0].status, modelgate::Status::safe);
  EXPECT_FALSE(tensor_facts(result.artifacts[0]).tensor_count.has_value());
}

// A legacy checkpoint whose storage key list repeats one memoised 1 MiB key 20,000 times: the list
// is read as views of that key, not as 20 GiB of copies, and the unreferenced key is reported.
TEST(CheckpointTensors, LegacyKeyListsReusingALongKeyAreNotCopied) {
  TempDir dir;
  auto made = run(python() + " -c \"import pickle\nk = 'k' * (1 << 20)\nd = lambda o: pickle.dumps(o, 2)\n"
                  "open('" + (dir / "keys.pt").string() + "', 'wb').write(d(0x1950a86a20f9469cfc6c) + d(1001) + "
                  "d({'protocol_version': 1001, 'little_endian': True}) + d({}) + d([k] * 20000))\"");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  modelgate::ScanOptions opts;
  opts.threads = 1;
  auto result = modelgate::scan_paths({dir / "keys.pt"}, opts);
  ASSERT_EQ(result.artifacts.size(), 1u);
  EXPECT_EQ(result.artifacts[0].format, "pytorch-legacy");
  EXPECT_TRUE(has_rule(result.artifacts[0], "MG-TORCH-STORAGE-MISSING"));
  EXPECT_NE(result.artifacts[0].status, modelgate::Status::safe);
}

}  // namespace

}  // namespace checkpoint_tensors_test
