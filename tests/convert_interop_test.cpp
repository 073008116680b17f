// Proof of `modelgate convert` against the real writer and loader: every benign checkpoint of
// tests/fixtures/make_containers.py and make_convert_fixtures.py is converted, then
// tests/fixtures/check_converted.py loads the original with torch.load(weights_only=True) and the
// output with its own json+numpy reader and requires every tensor bit-identical in dtype, shape and
// bytes; the output must scan `safe`. Every malicious fixture is refused with nothing written.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "convert/conversion_scanner.h"
#include "convert_test_util.h"
#include "pickle/machine.h"
#include "report/json_report.h"
#include "test_util.h"

namespace convert_interop_test {

namespace {

using namespace mgtest;

// The four generators' outputs (each run once per test process).
struct Corpus {
  fs::path containers, convert, pickles, tar;
  nlohmann::json containers_manifest, convert_manifest, pickles_manifest, tar_manifest;
  bool ok = true;
  std::string log;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus c;
    for (auto [script, dir, manifest] :
         {std::tuple{"make_containers.py", &c.containers, &c.containers_manifest},
          std::tuple{"make_convert_fixtures.py", &c.convert, &c.convert_manifest},
          std::tuple{"make_pickles.py", &c.pickles, &c.pickles_manifest},
          std::tuple{"make_torch_tar.py", &c.tar, &c.tar_manifest}}) {
      const GeneratedFixtures& f = generated_fixtures(script);
      *dir = f.dir.path();
      *manifest = f.manifest;
      c.ok = c.ok && f.ok;
      c.log += f.log;
    }
    return c;
  }();
  return c;
}

CommandResult convert(const fs::path& in, const fs::path& out, const std::string& extra = "") {
  return run(modelgate_binary() + " convert '" + in.string() + "' '" + out.string() + "' " + extra);
}

modelgate::Status scan_status(const fs::path& p) {
  modelgate::ScanOptions o;
  o.threads = 1;
  auto r = modelgate::scan_paths({p}, o);
  return r.artifacts.empty() ? modelgate::Status::refused : r.artifacts[0].status;
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) ++n;
  return n;
}

// Conversions whose outputs are checked together (one Python process for all of them).
class Batch {
 public:
  // Converts `in` and queues the bit-identity check against `reference`; scans the output.
  void convert_and_queue(const fs::path& in, const fs::path& reference, const std::string& key, const std::string& label) {
    fs::path target = out_ / (std::to_string(n_++) + ".safetensors");
    auto r = convert(in, target, key.empty() ? "" : "--key " + key);
    ASSERT_EQ(r.exit_code, 0) << label << ": " << r.output;
    EXPECT_EQ(scan_status(target), modelgate::Status::safe) << label;
    list_ += label + "\t" + reference.string() + "\t" + target.string() + "\t" + key + "\n";
  }
  // Runs the independent reader over every queued output.
  void check_all() {
    write_file(out_ / "list.tsv", list_);
    auto r = run(python() + " " + (source_dir() / "tests/fixtures/check_converted.py").string() + " --batch '" +
                 (out_ / "list.tsv").string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::cout << r.output;
    // Nothing but the outputs and the list: no temp file left behind.
    EXPECT_EQ(entries(out_.path()), static_cast<std::size_t>(n_) + 1);
  }

 private:
  TempDir out_;
  int n_ = 0;
  std::string list_;
};

void expect_refused(const fs::path& in, const std::string& label, const std::string& extra = "",
                    const std::string& reason = "") {
  TempDir out;
  auto r = convert(in, out / "out.safetensors", extra);
  EXPECT_EQ(r.exit_code, 1) << label << ": " << r.output;
  EXPECT_EQ(entries(out.path()), 0u) << label << ": something was written";
  if (!reason.empty()) {
    EXPECT_NE(r.output.find(reason), std::string::npos) << label << ": " << r.output;
  }
}

TEST(ConvertInterop, EveryBenignTorchCheckpointConvertsBitIdentical) {
  auto& c = corpus();
  ASSERT_TRUE(c.ok) << c.log;
  int converted = 0;
  Batch batch;
  for (const auto& [name, entry] : c.containers_manifest.items()) {
    bool checkpoint = name.size() > 3 && name.substr(name.size() - 3) == ".pt";
    if (!checkpoint || !entry["trick"].get<std::string>().empty()) continue;
    if (entry["expect"][0] != "safe" || name == "dtypes.pt") continue;  // TorchScript, legacy protocol 0, complex
    batch.convert_and_queue(c.containers / name, c.containers / name, "", name);
    ++converted;
  }
  EXPECT_GE(converted, 17);
  // Training checkpoints with --key: the model's state dict alone.
  for (const char* name : {"train_ckpt.pt", "train_sgd.pt"})
    batch.convert_and_queue(c.containers / name, c.containers / name, "model", std::string(name) + " --key model");
  batch.check_all();
}

// Every file of the four corpora, scanned the way `convert` scans it (in this process): the report is
// the plain scan's, and planning a checkpoint runs the pickle machine no more times than the scan
// alone does: each pickle of the file is read once, the container's directory once.
TEST(ConvertInterop, PlanningRunsNoPickleBeyondTheScanOnEveryFixture) {
  auto& c = corpus();
  ASSERT_TRUE(c.ok) << c.log;
  std::map<std::string, int> planned;  // format -> checkpoints planned
  for (const fs::path& dir : {c.containers, c.convert, c.pickles, c.tar}) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      const std::string bytes = read_file(e.path());
      const std::string name = e.path().filename().string();
      TorchScan torch;
      modelgate::Artifact a;
      a.origin = name;
      a.name = name;
      a.bytes = view_of(bytes);
      const auto before_scan = modelgate::pickle::machine_runs();
      const modelgate::ArtifactReport plain = torch.ctx.scan(a);
      const auto scan_runs = modelgate::pickle::machine_runs() - before_scan;
      const auto before = modelgate::pickle::machine_runs();
      auto scanned = modelgate::convert::scan_for_conversion(torch.ctx, a, "");
      EXPECT_EQ(modelgate::pickle::machine_runs() - before, scan_runs) << name;
      EXPECT_EQ(modelgate::report_json_text(scanned.report), modelgate::report_json_text(plain)) << name;
      if (scanned.plan && *scanned.plan) ++planned[scanned.report.format];
    }
  }
  EXPECT_GE(planned["pytorch-zip"], 17);
  EXPECT_GE(planned["pytorch-legacy"], 1);
  EXPECT_GE(planned["pytorch-legacy-tar"], 1);
}

TEST(ConvertInterop, DtypesViewsParametersByteOrderAndKeys) {
  auto& c = corpus();
  ASSERT_TRUE(c.ok) << c.log;
  Batch batch;
  for (const auto& [name, entry] : c.convert_manifest.items()) {
    std::string key = entry.value("key", "");
    if (entry["convert"].get<bool>()) {
      std::string reference = entry.value("reference", name);
      batch.convert_and_queue(c.convert / name, c.convert / reference, key, name);
    } else {
      expect_refused(c.convert / name, name, key.empty() ? "" : "--key " + key, entry["refusal"].get<std::string>());
    }
  }
  batch.check_all();
}

TEST(ConvertInterop, ComplexTensorsAreRefused) {
  auto& c = corpus();
  ASSERT_TRUE(c.ok) << c.log;
  expect_refused(c.containers / "dtypes.pt", "dtypes.pt", "", "complex");
  expect_refused(c.containers / "torchscript.pt", "torchscript.pt", "", "unverified");
  expect_refused(c.containers / "legacy_proto0.pt", "legacy_proto0.pt", "", "refused");
}

TEST(ConvertInterop, EveryMaliciousFixtureIsRefusedAndNothingWritten) {
  auto& c = corpus();
  ASSERT_TRUE(c.ok) << c.log;
  int n = 0;
  for (const auto& [name, entry] : c.containers_manifest.items()) {
    if (entry["trick"].get<std::string>().empty()) continue;
    expect_refused(c.containers / name, name);
    ++n;
  }
  for (const auto& entry : c.pickles_manifest) {
    expect_refused(c.pickles / entry["file"].get<std::string>(), entry["file"].get<std::string>());
    ++n;
  }
  EXPECT_GE(n, 40);
}

// The pre-1.0 tar layout (make_torch_tar.py builds it by hand; torch 1.13 still loads it): every
// benign checkpoint converts bit-identical, in a worker and in-process; every trick is refused.
TEST(ConvertInterop, TarCheckpointsConvertAndTricksAreRefused) {
  auto& c = corpus();
  ASSERT_TRUE(c.ok) << c.log;
  Batch batch;
  int converted = 0, refused = 0;
  for (const auto& [name, entry] : c.tar_manifest.items()) {
    if (!entry["trick"].get<std::string>().empty()) {
      expect_refused(c.tar / name, name);
      ++refused;
      continue;
    }
    ASSERT_NE(entry["loader"].get<std::string>().find("RESULT match"), std::string::npos) << name << ": " << entry["loader"];
    batch.convert_and_queue(c.tar / name, c.tar / name, "", name);
    ++converted;
  }
  EXPECT_GE(converted, 5);
  EXPECT_GE(refused, 14);
  batch.check_all();

  TempDir out;
  auto r = convert(c.tar / "tar_nested.pt", out / "nested.safetensors", "--json --sandbox off");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto report = nlohmann::json::parse(r.output);
  EXPECT_EQ(report["files"][0]["format"], "pytorch-legacy-tar") << r.output;
  EXPECT_EQ(report["files"][0]["tensors"], 3) << r.output;
  EXPECT_EQ(report["files"][0]["metadata"]["step"], "12") << r.output;
  auto worker = convert(c.tar / "tar_nested.pt", out / "nested_worker.safetensors");
  ASSERT_EQ(worker.exit_code, 0) << worker.output;
  EXPECT_EQ(read_file(out / "nested.safetensors"), read_file(out / "nested_worker.safetensors"));
}

TEST(ConvertInterop, ShardedModelDirectory) {
  auto& c = corpus();
  ASSERT_TRUE(c.ok) << c.log;
  TempDir out;
  fs::path in = c.convert / "model_dir";
  auto r = convert(in, out / "converted", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto report = nlohmann::json::parse(r.output);
  EXPECT_EQ(report["schema"], "modelgate.convert/1");
  std::map<std::string, std::string> outcome;
  for (const auto& f : report["files"]) outcome[f["input"]] = f["outcome"];
  EXPECT_EQ(outcome["pytorch_model-00001-of-00002.bin"], "converted");
  EXPECT_EQ(outcome["pytorch_model-00002-of-00002.bin"], "converted");
  EXPECT_EQ(outcome["config.json"], "copied");
  EXPECT_EQ(outcome["tokenizer/vocab.txt"], "copied");
  EXPECT_EQ(outcome["training_args.bin"], "skipped");
  fs::path o = out / "converted";
  std::string list;
  for (int i = 1; i <= 2; ++i) {
    std::string shard = "pytorch_model-0000" + std::to_string(i) + "-of-00002.bin";
    std::string st = "model-0000" + std::to_string(i) + "-of-00002.safetensors";
    list += shard + "\t" + (in / shard).string() + "\t" + (o / st).string() + "\t\n";
  }
  write_file(out / "list.tsv", list);
  auto chk = run(python() + " " + (source_dir() / "tests/fixtures/check_converted.py").string() + " --batch '" +
                 (out / "list.tsv").string() + "'");
  EXPECT_EQ(chk.exit_code, 0) << chk.output;
  for (const char* f : {"config.json", "README.md", "tokenizer/tokenizer_config.json", "tokenizer/vocab.txt"})
    EXPECT_EQ(read_file(o / f), read_file(in / f)) << f;
  EXPECT_FALSE(fs::exists(o / "training_args.bin"));
  EXPECT_FALSE(fs::exists(o / "pytorch_model.bin.index.json"));
  auto index = nlohmann::json::parse(read_file(o / "model.safetensors.index.json"));
  auto original = nlohmann::json::parse(read_file(in / "pytorch_model.bin.index.json"));
  ASSERT_EQ(index["weight_map"].size(), original["weight_map"].size());
  for (const auto& [name, file] : original["weight_map"].items()) {
    std::string f = file.get<std::string>();
    EXPECT_EQ(index["weight_map"][name], "model-" + f.substr(14, 14) + ".safetensors") << name;
  }
  EXPECT_EQ(index["metadata"]["total_size"], original["metadata"]["total_size"]);
  EXPECT_EQ(scan_status(o), modelgate::Status::safe);
  // Again into the same directory: refused without --force, accepted with it.
  EXPECT_EQ(convert(in, o).exit_code, 2);
  EXPECT_EQ(convert(in, o, "--force").exit_code, 0);
}

TEST(ConvertInterop, DirectoryWithAnUnsafeShardWritesNothing) {
  auto& c = corpus();
  ASSERT_TRUE(c.ok) << c.log;
  TempDir in, out;
  fs::copy(c.convert / "model_dir", in.path(), fs::copy_options::recursive);
  fs::copy_file(c.containers / "trick_zip_payload.pt", in / "pytorch_model-00002-of-00002.bin",
                fs::copy_options::overwrite_existing);
  auto r = convert(in.path(), out / "converted");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_FALSE(fs::exists(out / "converted"));
  EXPECT_NE(r.output.find("MG-PICKLE-CALL-DANGEROUS"), std::string::npos) << r.output;
}

}  // namespace

}  // namespace convert_interop_test
