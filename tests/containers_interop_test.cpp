// Proof against the real writers and loaders: tests/fixtures/make_containers.py builds benign
// checkpoints, arrays, joblib files and archives with torch/numpy/joblib/sklearn/7z, and the
// published bypass tricks, and records what torch.load / numpy.load / joblib.load does with each
// trick. Every benign file must be `safe` (TorchScript: `unverified`, it is code); every trick must
// get its expected verdict and rules. The table printed shows loader behaviour next to the verdict.
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "test_util.h"

namespace containers_interop_test {

namespace {

using namespace mgtest;

const GeneratedFixtures& fixtures() { return generated_fixtures("make_containers.py"); }

modelgate::ArtifactReport scan_fixture(const std::string& name, const nlohmann::json& entry) {
  modelgate::ScanOptions opts;
  opts.threads = 1;
  if (entry.contains("profiles")) opts.policy.profiles = entry["profiles"].get<std::vector<std::string>>();
  auto result = modelgate::scan_paths({fixtures().dir / name}, opts);
  EXPECT_TRUE(result.errors.empty());
  return result.artifacts.empty() ? modelgate::ArtifactReport{} : result.artifacts[0];
}

std::string summary(const modelgate::ArtifactReport& r) {
  std::string s;
  for (const auto* f : r.all_findings())
    if (f->status != modelgate::Status::safe && s.find(f->rule) == std::string::npos) s += f->rule + " ";
  return s;
}

TEST(ContainersInterop, EveryFixtureGetsItsVerdict) {
  auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  std::cout << "\n" << std::left;
  for (const auto& [name, entry] : f.manifest.items()) {
    auto report = scan_fixture(name, entry);
    std::string status(modelgate::to_string(report.status));
    auto expect = entry["expect"].get<std::vector<std::string>>();
    bool match = std::find(expect.begin(), expect.end(), status) != expect.end();
    EXPECT_TRUE(match) << name << ": modelgate says " << status << " (" << summary(report) << "), expected "
                       << expect[0];
    for (const auto& rule : entry["rules"]) EXPECT_TRUE(has_rule(report, rule)) << name << " lacks " << rule;
    if (!entry["trick"].get<std::string>().empty()) {
      std::cout << "  " << name << "\n    trick:     " << entry["trick"].get<std::string>()
                << "\n    loader:    " << entry["loader"].get<std::string>()
                << (entry["executed"].get<bool>() ? "  [PAYLOAD EXECUTED]" : "")
                << "\n    modelgate: " << status << "  " << summary(report) << "\n";
    } else if (!match) {
      for (const auto* fd : report.all_findings())
        std::cout << "    " << fd->rule << " " << fd->origin << ": " << fd->message << "\n";
    }
  }
}

// The loader really runs the payload for the tricks that claim so: the proof is not vacuous.
TEST(ContainersInterop, LoadersExecuteThePayloads) {
  auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  for (const char* name :
       {"trick_legacy_payload0.pt", "trick_legacy_payload1.pt", "trick_legacy_payload2.pt",
        "trick_legacy_payload3.pt", "trick_legacy_payload4.pt", "trick_raw_pickle.bin",
        "trick_zip_payload.pt", "trick_bad_crc.pt", "trick_name_mismatch.pt", "trick_junk_first.pt",
        "trick_proto0_in_zip.pt", "trick_nullifai.7z", "trick_npy_object.npy", "trick_joblib_zlib.joblib",
        "trick_joblib_gzip.joblib", "trick_joblib_lz4.joblib", "trick_joblib_plain.joblib",
        "trick_joblib_objarray.joblib", "trick_legacy_frame.pt", "trick_joblib_frame.joblib",
        "trick_joblib_frame_zlib.joblib"})
    EXPECT_TRUE(f.manifest[name]["executed"].get<bool>()) << name << ": " << f.manifest[name]["loader"];
}

// For duplicate names, modelgate predicts which copy torch's miniz reads; the real torch.load
// confirms it (the payload ran exactly when the predicted copy is the payload).
TEST(ContainersInterop, DuplicateNamePredictionMatchesTorch) {
  auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  for (const char* name : {"trick_dup_evil_first.pt", "trick_dup_evil_last.pt"}) {
    const auto& entry = f.manifest[name];
    auto report = scan_fixture(name, entry);
    std::smatch m;
    bool found = false;
    for (const auto* fd : report.all_findings()) {
      static const std::regex re("torch \\(miniz\\) reads entry #([0-9]+)");
      if (fd->rule == "MG-ZIP-DUPLICATE-NAME" && std::regex_search(fd->message, m, re)) {
        found = true;
        bool predicted_evil = std::stoi(m[1]) == entry["evil_index"].get<int>();
        EXPECT_EQ(predicted_evil, entry["executed"].get<bool>())
            << name << ": " << fd->message << " / loader: " << entry["loader"];
      }
    }
    EXPECT_TRUE(found) << name;
  }
}

}  // namespace

// joblib identifies compressed files by prefix ("ZF" with an int(..., 16) length and an optional
// space, "5d 00" for lzma); every file here runs its payload under joblib.load (proven by the
// generator), so none may pass: the ZF ones are read and found unsafe, the lzma one (libarchive
// cannot read its dictionary size) is refused unread.
TEST(ContainersInterop, JoblibCompressorPrefixesAreJoblibs) {
  const auto& f = generated_fixtures("make_joblib_prefixes.py");
  ASSERT_TRUE(f.ok) << f.log;
  for (const auto& [name, entry] : f.manifest.items()) {
    ASSERT_TRUE(entry["payload_ran"].get<bool>()) << name;
    auto result = modelgate::scan_paths({f.dir / name}, modelgate::ScanOptions{});
    const auto& r = result.artifacts.at(0);
    if (name.rfind("zf_", 0) == 0)
      EXPECT_EQ(r.status, modelgate::Status::unsafe) << name << " " << r.format;
    else
      EXPECT_EQ(r.status, modelgate::Status::refused) << name << " " << r.format;
  }
}

}  // namespace containers_interop_test
