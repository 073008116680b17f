// Sharded safetensors checkpoints: the index must match the shards (a directory-level check).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <functional>
#include <sstream>

#include "format/directory_checks.h"
#include "modelgate/render.h"
#include "modelgate/scan.h"
#include "pickle/allowlist.h"
#include "scan/scan_context.h"
#include "test_util.h"

namespace safetensors_index_test {

using namespace modelgate;
namespace fs = std::filesystem;

namespace {

class ShardedCheckpoint : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto& f = mgtest::generated_fixtures("make_safetensors_gguf.py", "fixtures");
    ASSERT_TRUE(f.ok) << f.log;
    dir_ = &f.dir;
  }
  static ArtifactReport scan_dir(const std::string& name) {
    ScanOptions opts;
    auto result = scan_paths({dir_->path() / name}, opts);
    EXPECT_TRUE(result.errors.empty());
    return result.artifacts.at(0);
  }
  static const ArtifactReport* child(const ArtifactReport& dir, const std::string& suffix) {
    for (const auto& c : dir.children)
      if (c.origin.size() >= suffix.size() && c.origin.substr(c.origin.size() - suffix.size()) == suffix) return &c;
    return nullptr;
  }
  static const mgtest::GeneratedFixtures::Dir* dir_;
};
const mgtest::GeneratedFixtures::Dir* ShardedCheckpoint::dir_ = nullptr;

}  // namespace

TEST_F(ShardedCheckpoint, ConsistentIndexIsSafe) {
  auto r = scan_dir("sharded_ok");
  EXPECT_EQ(r.status, Status::safe);
  const auto* index = child(r, "model.safetensors.index.json");
  ASSERT_NE(index, nullptr);
  ASSERT_TRUE(index->parsed.sharded_checkpoint);
  EXPECT_EQ(index->parsed.sharded_checkpoint->shards, 2u);
  EXPECT_EQ(index->parsed.sharded_checkpoint->shards_compared, 2u);
  EXPECT_EQ(index->parsed.sharded_checkpoint->tensors, 4u);
}

TEST_F(ShardedCheckpoint, TensorListedButInNoShard) {
  auto r = scan_dir("sharded_bad");
  EXPECT_EQ(r.status, Status::refused);
  EXPECT_TRUE(mgtest::has_rule(r, "MG-SAFETENSORS-INDEX-MISSING-TENSOR"));
}
TEST_F(ShardedCheckpoint, TensorInShardButNotListed) {
  EXPECT_TRUE(mgtest::has_rule(scan_dir("sharded_bad"), "MG-SAFETENSORS-INDEX-UNLISTED-TENSOR"));
}
TEST_F(ShardedCheckpoint, ShardReferencedButAbsent) {
  EXPECT_TRUE(mgtest::has_rule(scan_dir("sharded_bad"), "MG-SAFETENSORS-INDEX-MISSING-SHARD"));
}
TEST_F(ShardedCheckpoint, TensorInTwoShards) {
  EXPECT_TRUE(mgtest::has_rule(scan_dir("sharded_bad"), "MG-SAFETENSORS-INDEX-DUPLICATE-TENSOR"));
}
TEST_F(ShardedCheckpoint, ShardPathOutsideDirectory) {
  auto r = scan_dir("sharded_escape");
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_TRUE(mgtest::has_rule(r, "MG-SAFETENSORS-INDEX-SHARD-PATH"));
}

TEST(ShardedIndex, InvalidIndexJson) {
  mgtest::TempDir dir;
  mgtest::write_file(dir / "model.safetensors.index.json", R"({"weight_map":{"a":"x.safetensors","a":"y.safetensors"}})");
  auto r = scan_paths({dir.path()}, ScanOptions{});
  EXPECT_EQ(r.artifacts.at(0).status, Status::refused);
  EXPECT_TRUE(mgtest::has_rule(r.artifacts.at(0), "MG-SAFETENSORS-INDEX-INVALID"));

  mgtest::write_file(dir / "model.safetensors.index.json", R"({"weight_map":{"a":3}})");
  r = scan_paths({dir.path()}, ScanOptions{});
  EXPECT_TRUE(mgtest::has_rule(r.artifacts.at(0), "MG-SAFETENSORS-INDEX-INVALID"));
}

TEST(ShardedIndex, IndexInSubdirectoryResolvesRelativeToIt) {
  mgtest::TempDir dir;
  std::string header = R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
  std::string shard(8, '\0');
  shard[0] = static_cast<char>(header.size());
  mgtest::write_file(dir / "sub/s.safetensors", shard + header + "x");
  mgtest::write_file(dir / "sub/model.safetensors.index.json", R"({"weight_map":{"a":"s.safetensors"}})");
  auto r = scan_paths({dir.path()}, ScanOptions{});
  EXPECT_EQ(r.artifacts.at(0).status, Status::safe);
}

TEST(ShardedIndex, FindingsAreCapped) {
  mgtest::TempDir dir;
  std::string map;
  for (int i = 0; i < 50; ++i) map += (i ? "," : "") + std::string("\"t") + std::to_string(i) + "\":\"s" + std::to_string(i) + "\"";
  mgtest::write_file(dir / "model.safetensors.index.json", "{\"weight_map\":{" + map + "}}");
  auto r = scan_paths({dir.path()}, ScanOptions{});
  std::size_t n = 0;
  for (const auto* f : r.artifacts.at(0).all_findings()) n += f->rule == "MG-SAFETENSORS-INDEX-MISSING-SHARD";
  EXPECT_EQ(n, 11u);  // ten findings and one "more like the above"
}

// A shard name that is not a plain file beside the index: a FIFO (the scan must not block on it), a
// device, a link leaving the directory, a link to a directory. Each is its own finding on the index,
// never "missing" and never silence, and the scan returns.
TEST_F(ShardedCheckpoint, ShardThatIsNotARegularFileIsNamed) {
  const std::string shard = "model-00002-of-00002.safetensors";
  struct Case {
    const char* name;
    std::function<void(const fs::path& dir, const fs::path& outside)> make;
  };
  const std::vector<Case> cases = {
      {"fifo", [&](const fs::path& d, const fs::path&) { ASSERT_EQ(::mkfifo((d / shard).c_str(), 0644), 0); }},
      {"device", [&](const fs::path& d, const fs::path&) { fs::create_symlink("/dev/zero", d / shard); }},
      {"link-out", [&](const fs::path& d, const fs::path& out) { fs::create_symlink(out / shard, d / shard); }},
      {"link-to-dir", [&](const fs::path& d, const fs::path&) {
         fs::create_directory(d / "sub");
         fs::create_symlink("sub", d / shard);
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    mgtest::TempDir t;
    fs::copy(dir_->path() / "sharded_ok", t / "m");
    fs::create_directory(t / "outside");
    fs::rename(t / "m" / shard, t / "outside" / shard);
    c.make(t / "m", t / "outside");
    auto result = scan_paths({t / "m"}, ScanOptions{});
    const auto& r = result.artifacts.at(0);
    EXPECT_NE(r.status, Status::safe);
    const auto* index = child(r, "model.safetensors.index.json");
    ASSERT_NE(index, nullptr);
    EXPECT_TRUE(mgtest::has_rule(*index, "MG-SAFETENSORS-INDEX-SHARD-NOT-READ"));
    EXPECT_FALSE(mgtest::has_rule(*index, "MG-SAFETENSORS-INDEX-MISSING-SHARD"));
    EXPECT_EQ(index->status, Status::refused);
  }
}

// The check re-opens shards the way the walk found them, beneath the directory without following
// links: a shard swapped for a link (or a FIFO) after the walk is a finding, not followed.
TEST_F(ShardedCheckpoint, ShardSwappedAfterTheWalkIsNotFollowed) {
  const std::string shard = "model-00002-of-00002.safetensors";
  for (const bool fifo : {false, true}) {
    SCOPED_TRACE(fifo ? "fifo" : "link");
    mgtest::TempDir t;
    fs::copy(dir_->path() / "sharded_ok", t / "m");
    std::vector<WalkEntry> files;
    for (const char* name : {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                             "model.safetensors.index.json"})
      files.push_back({t / "m" / name, name, t / "m", name});
    std::vector<ArtifactReport> reports(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) reports[i].origin = files[i].relative;
    fs::rename(t / "m" / shard, t / shard);
    if (fifo) ASSERT_EQ(::mkfifo((t / "m" / shard).c_str(), 0644), 0);
    else fs::create_symlink(t / shard, t / "m" / shard);
    Limits limits;
    Policy policy;
    auto allowlist = pickle::Allowlist::from_profiles({}, {});
    ScanContext ctx(limits, policy, *allowlist);
    check_safetensors_indexes(files, {}, reports, ctx);
    EXPECT_TRUE(mgtest::has_rule(reports[2], "MG-SAFETENSORS-INDEX-SHARD-NOT-READ"));
    ASSERT_TRUE(reports[2].parsed.sharded_checkpoint);
    EXPECT_EQ(reports[2].parsed.sharded_checkpoint->shards_compared, 1u);
  }
}

// With confined parse workers (scan's default), each index is checked in a worker of its own that
// reads the index and the shards from mappings this process made: the same findings and facts as
// in this process, for consistent, inconsistent and escaping indexes.
TEST_F(ShardedCheckpoint, TheConfinedCheckFindsWhatTheInProcessCheckFinds) {
  for (const char* name : {"sharded_ok", "sharded_bad", "sharded_escape"}) {
    auto render = [&](SandboxMode mode) {
      ScanOptions opts;
      opts.sandbox = mode;
      ScanResult result = scan_paths({dir_->path() / name}, opts);
      EXPECT_TRUE(result.errors.empty()) << name;
      for (auto& c : result.artifacts.at(0).children) c.details.sandbox.reset();
      result.sandbox = {};
      std::ostringstream out;
      render_json(result, out);
      return out.str();
    };
    EXPECT_EQ(render(SandboxMode::strict), render(SandboxMode::off)) << name;
  }
}

}  // namespace safetensors_index_test
