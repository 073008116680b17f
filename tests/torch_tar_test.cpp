// PyTorch's pre-1.0 tar checkpoint. tests/fixtures/make_torch_tar.py hand-builds the format the
// way torch 1.13's legacy_load reads it, proves with torch.load that the benign files load to the
// expected tensors, and records what torch.load does with each trick. modelgate must say `safe`
// for the benign ones and the expected verdict (with its rule) for every trick. The unit tests
// below build tars in C++ for the header walker's edge cases.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "readers/tar_headers.h"
#include "container/torch_tar.h"
#include "scan/scan_context.h"
#include "tar_builder.h"
#include "test_util.h"

namespace torch_tar_test {

namespace {

using namespace mgtest;

const GeneratedFixtures& fixtures() { return generated_fixtures("make_torch_tar.py"); }

modelgate::ArtifactReport scan_file(const std::filesystem::path& p) {
  modelgate::ScanOptions opts;
  opts.threads = 1;
  auto result = modelgate::scan_paths({p}, opts);
  EXPECT_TRUE(result.errors.empty());
  return result.artifacts.empty() ? modelgate::ArtifactReport{} : result.artifacts[0];
}

std::string summary(const modelgate::ArtifactReport& r) {
  std::string s;
  for (const auto* f : r.all_findings())
    if (f->status != modelgate::Status::safe && s.find(f->rule) == std::string::npos) s += f->rule + " ";
  return s;
}

TEST(TorchTar, FixturesGetTheirVerdicts) {
  auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  std::cout << "\n";
  for (const auto& [name, entry] : f.manifest.items()) {
    auto report = scan_file(f.dir / name);
    std::string status(modelgate::to_string(report.status));
    auto expect = entry["expect"].get<std::vector<std::string>>();
    bool match = std::find(expect.begin(), expect.end(), status) != expect.end();
    EXPECT_TRUE(match) << name << ": modelgate says " << status << " (" << summary(report) << "), expected " << expect[0];
    for (const auto& rule : entry["rules"]) EXPECT_TRUE(has_rule(report, rule)) << name << " lacks " << rule;
    if (name.size() < 4 || name.substr(name.size() - 4) != ".tar") {
      EXPECT_EQ(report.format, "pytorch-legacy-tar") << name;
    }
    if (entry["trick"].get<std::string>().empty()) {
      // torch.load reads the hand-built file to exactly the tensors it was built from.
      EXPECT_NE(entry["loader"].get<std::string>().find("RESULT match"), std::string::npos)
          << name << ": " << entry["loader"];
      if (!match)
        for (const auto* fd : report.all_findings()) std::cout << "    " << fd->rule << " " << fd->origin << ": " << fd->message << "\n";
    } else {
      std::cout << "  " << name << "\n    trick:     " << entry["trick"].get<std::string>()
                << "\n    loader:    " << entry["loader"].get<std::string>()
                << (entry["executed"].get<bool>() ? "  [PAYLOAD EXECUTED]" : "") << "\n    modelgate: " << status
                << "  " << summary(report) << "\n";
    }
  }
}

// The proof is not vacuous: torch.load really runs these payloads, and really skips the others.
TEST(TorchTar, TorchLoadRunsThePayloads) {
  auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  for (const char* name : {"tar_trick_pickle.pt", "tar_trick_storage_first.pt", "tar_trick_storage_third.pt",
                           "tar_trick_storage_views.pt", "tar_trick_tensor_record.pt", "tar_trick_dup_evil_last.pt",
                           "tar_trick_polyglot.pt", "tar_trick_polyglot_plain.tar", "tar_trick_pax_rename.pt"})
    EXPECT_TRUE(f.manifest[name]["executed"].get<bool>()) << name << ": " << f.manifest[name]["loader"];
  for (const char* name : {"tar_trick_sys_info.pt", "tar_trick_dup_evil_first.pt"})
    EXPECT_FALSE(f.manifest[name]["executed"].get<bool>()) << name << ": " << f.manifest[name]["loader"];
}

// The layout a converter would use: storages with their byte ranges, tensors, the pickle member.
TEST(TorchTar, LayoutDescribesStoragesAndTensors) {
  auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  auto bytes = read_file(f.dir / "tar_views.pt");
  modelgate::Limits limits;
  modelgate::Policy policy;
  auto allowlist = modelgate::pickle::Allowlist::from_profiles(policy.profiles, {});
  ASSERT_TRUE(allowlist);
  modelgate::ScanContext ctx(limits, policy, *allowlist);
  modelgate::Artifact a;
  a.origin = "tar_views.pt";
  a.bytes = modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  modelgate::ArtifactReport report;
  auto layout = modelgate::read_torch_tar(a, ctx, report);
  EXPECT_TRUE(layout.complete);
  ASSERT_EQ(layout.storages.size(), 1u);
  EXPECT_EQ(layout.storages[0].key, "100");
  EXPECT_EQ(layout.storages[0].type, "FloatStorage");
  EXPECT_EQ(layout.storages[0].numel, 24u);
  float third = 0;
  ASSERT_LE(layout.storages[0].data_offset + 16, bytes.size());
  std::memcpy(&third, bytes.data() + layout.storages[0].data_offset + 12, 4);
  EXPECT_EQ(third, 3.0f);  // the range points at the raw storage bytes
  ASSERT_EQ(layout.views.size(), 1u);
  EXPECT_EQ(layout.views[0].root_key, "100");
  EXPECT_EQ(layout.views[0].offset, 6u);
  ASSERT_EQ(layout.tensors.size(), 4u);
  EXPECT_EQ(layout.tensors[1].strides, (std::vector<std::int64_t>{1, 6}));
  EXPECT_EQ(layout.tensors[2].storage_offset, 3);
  EXPECT_GT(layout.pickle_size, 0u);
  EXPECT_EQ(bytes[layout.pickle_offset], '\x80');
}

// ---- header walker edge cases on hand-built tars

std::string header(const std::string& name, std::uint64_t size, char type = '0', const char* size_field = nullptr) {
  return tar_header(name, size, type, size_field);
}

std::string member(const std::string& name, const std::string& data, char type = '0') {
  return tar_member(name, data, type);
}

modelgate::tar::Listing walk(const std::string& t) {
  modelgate::Limits limits;
  limits.max_archive_members = 1000;
  return modelgate::tar::read_headers(
      modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(t.data()), t.size()), limits);
}

TEST(TarHeaders, StopsAtFirstZeroBlockAndLastDuplicateWins) {
  std::string t = member("pickle", "AAAA") + member("pickle", "BBBBBB") + std::string(512, '\0') +
                  member("hidden", "x") + std::string(1024, '\0');
  auto l = walk(t);
  ASSERT_FALSE(l.error);
  EXPECT_TRUE(l.clean_end);
  ASSERT_EQ(l.members.size(), 2u);  // tarfile never sees "hidden"
  const auto* last = modelgate::tar::find_last(l, "pickle");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->size, 6u);
  EXPECT_EQ(last->data_offset, 1536u);
}

TEST(TarHeaders, BadHeaderAfterTheFirstEndsSilentlyAndTruncationRaises) {
  std::string bad = member("b", "y");
  bad[0] = 'c';  // checksum no longer matches
  auto l = walk(member("a", "x") + bad);
  EXPECT_FALSE(l.error);
  EXPECT_FALSE(l.clean_end);
  EXPECT_EQ(l.members.size(), 1u);
  std::string cut = member("a", std::string(2000, 'x'));
  cut.resize(1000);
  EXPECT_TRUE(walk(cut).error);  // tarfile: "unexpected end of data"
  std::string first_bad = member("a", "x");
  first_bad[0] = 'z';
  EXPECT_TRUE(walk(first_bad).error);
}

TEST(TarHeaders, PythonOnlyNumberFormsAreNoted) {
  std::string t = header("pickle", 4, '0', "0o_4") + std::string("abcd") + std::string(508, '\0') + std::string(1024, '\0');
  auto l = walk(t);
  ASSERT_EQ(l.members.size(), 1u);
  EXPECT_EQ(l.members[0].size, 4u);
  EXPECT_FALSE(l.notes.empty());
}

TEST(TarHeaders, PaxPathAndSizeApply) {
  std::string rec = "15 path=pickle\n" "11 size=10\n";
  std::string t = member("PaxHeader", rec, 'x');
  t += header("other", 3) + std::string("0123456789") + std::string(502, '\0') + std::string(1024, '\0');
  auto l = walk(t);
  ASSERT_FALSE(l.error) << l.error->reason;
  ASSERT_EQ(l.members.size(), 1u);
  EXPECT_EQ(l.members[0].name, "pickle");
  EXPECT_EQ(l.members[0].header_name, "other");
  EXPECT_EQ(l.members[0].size, 10u);
  EXPECT_TRUE(l.members[0].extended);
}

TEST(TarHeaders, GnuLongNameAndChainedExtendedHeaders) {
  std::string t = member("././@LongLink", std::string("pickle") + '\0', 'L') + member("short", "abc") + tar_end();
  auto l = walk(t);
  ASSERT_FALSE(l.error) << l.error->reason;
  ASSERT_EQ(l.members.size(), 1u);
  EXPECT_EQ(l.members[0].name, "pickle");
  EXPECT_EQ(l.members[0].header_name, "short");
  EXPECT_EQ(l.members[0].header_offset, 0u);
  // A long-name block followed by a broken header: tarfile raises (SubsequentHeaderError).
  std::string broken = member("././@LongLink", "pickle", 'L') + std::string(512, 'z');
  EXPECT_TRUE(walk(broken).error);
  // Two extended headers in a row are noted: readers differ in which one wins.
  std::string chained = member("././@LongLink", "a", 'L') + member("PaxHeader", "12 path=bbb\n", 'x') +
                        member("c", "x") + tar_end();
  auto lc = walk(chained);
  ASSERT_EQ(lc.members.size(), 1u);
  EXPECT_EQ(lc.members[0].name, "a");  // as tarfile: the outer GNU long name wins
  EXPECT_FALSE(lc.notes.empty());
}

// Differential: the walker lists the same members, sizes and errors as CPython's tarfile on tars
// built to hit its edge cases.
TEST(TarHeaders, AgreesWithPythonTarfile) {
  std::string bad_sum = member("b", "y");
  bad_sum[0] = 'c';
  std::string cut = member("a", "x") + member("big", std::string(3000, 'q'));
  cut.resize(cut.size() - 1500);
  std::map<std::string, std::string> cases = {
      {"plain", member("a", "x") + member("b/", "", '5') + tar_end()},
      {"dups", member("pickle", "1") + member("pickle", "22") + tar_end()},
      {"zero_then_more", member("a", "x") + std::string(512, '\0') + member("hidden", "y") + tar_end()},
      {"bad_after_first", member("a", "x") + bad_sum + tar_end()},
      {"cut", cut},
      {"python_number", header("n", 4, '0', " +0o_4 ") + std::string("abcd") + std::string(508, '\0') + tar_end()},
      {"pax", member("PaxHeader", "15 path=pickle\n" "11 size=10\n", 'x') + header("o", 3) + std::string("0123456789") +
                  std::string(502, '\0') + tar_end()},
      {"gnu_long", member("././@LongLink", std::string("storages") + '\0', 'L') + member("s", "abc") + tar_end()},
      {"long_then_bad", member("././@LongLink", "x", 'L') + std::string(512, 'z')},
      {"unknown_type", member("u", "data", 'Z') + member("v", "w") + tar_end()},
      {"v7_dir", member("d/", "", '\0') + tar_end()},
  };
  TempDir dir;
  std::string args;
  for (const auto& [name, bytes] : cases) {
    write_file(dir / name, bytes);
    args += " " + (dir / name).string();
  }
  auto r = run(python() + " " + (source_dir() / "tests/fixtures/tarfile_view.py").string() + args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto py = nlohmann::json::parse(r.output);
  ASSERT_EQ(py.size(), cases.size());
  ASSERT_EQ(py[(dir / "dups").string()]["names"].size(), 2u);  // not vacuous: tarfile lists both copies
  for (const auto& [name, bytes] : cases) {
    const auto& want = py[(dir / name).string()];
    auto l = walk(bytes);
    EXPECT_EQ(static_cast<bool>(l.error), want["error"].get<bool>()) << name;
    if (want["error"].get<bool>()) continue;
    std::vector<std::string> names;
    std::vector<std::uint64_t> sizes;
    for (const auto& m : l.members) {
      names.push_back(m.name);
      sizes.push_back(m.size);
    }
    EXPECT_EQ(names, want["names"].get<std::vector<std::string>>()) << name;
    EXPECT_EQ(sizes, want["sizes"].get<std::vector<std::uint64_t>>()) << name;
  }
}

TEST(TorchTar, SparseAndLinkMembersAreRefusedOrUnsafe) {
  std::string t = member("storages", "x", '2') + std::string(1024, '\0');
  auto r = scan(t);
  EXPECT_EQ(r.status, modelgate::Status::unsafe);
  EXPECT_TRUE(has_rule(r, "MG-ARCHIVE-LINK"));
  std::string s = member("pickle", "x", 'S') + std::string(1024, '\0');
  auto r2 = scan(s);
  EXPECT_GE(r2.status, modelgate::Status::refused);
}

// Members the record walk never reaches (no `storages`, a tar tarfile rejects) are still scanned.
TEST(TorchTar, MembersOutsideTheWalkAreScannedByContent) {
  std::string payload("cposix\nsystem\n(S'true'\ntR.");
  auto r = scan(member("tensors", "N.") + member("pickle", payload) + tar_end());
  EXPECT_EQ(r.status, modelgate::Status::unsafe);
  EXPECT_TRUE(has_rule(r, "MG-TORCH-TAR-MALFORMED"));
  std::string cut = member("pickle", payload) + member("storages", std::string(4000, 'x'));
  cut.resize(cut.size() - 2000);
  auto r2 = scan(cut);
  EXPECT_EQ(r2.status, modelgate::Status::unsafe);
}

}  // namespace

}  // namespace torch_tar_test
