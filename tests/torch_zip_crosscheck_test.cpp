// Zip checkpoints whose storage records disagree with the persistent ids in data.pkl (missing,
// short, longer or unreferenced records) or whose members leave the archive folder torch reads.
// tests/fixtures/make_torch_zip_crosscheck.py builds them from a real torch.save file and records
// torch.load's outcome; modelgate must report the rule and the status.
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace torch_zip_crosscheck_test {

namespace {

using namespace mgtest;

TEST(TorchZipCrossCheck, StorageRecordsAgainstPersistentIds) {
  TempDir dir;
  auto r = run(python() + " " + (source_dir() / "tests/fixtures/make_torch_zip_crosscheck.py").string() + " " +
               dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto manifest = nlohmann::json::parse(read_file(dir / "manifest.json"));
  ASSERT_EQ(manifest.size(), 5u);
  for (const auto& [name, entry] : manifest.items()) {
    modelgate::ScanOptions opts;
    opts.threads = 1;
    auto result = modelgate::scan_paths({dir / name}, opts);
    ASSERT_EQ(result.artifacts.size(), 1u);
    const auto& report = result.artifacts[0];
    std::cout << "  " << name << ": torch.load " << entry["loader"].get<std::string>() << "; modelgate "
              << modelgate::to_string(report.status) << "\n";
    EXPECT_EQ(std::string(modelgate::to_string(report.status)), entry["expect"].get<std::string>()) << name;
    EXPECT_TRUE(has_rule(report, entry["rule"].get<std::string>())) << name << " lacks " << entry["rule"];
  }
}

}  // namespace

}  // namespace torch_zip_crosscheck_test
