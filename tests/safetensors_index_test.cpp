// Sharded safetensors checkpoints: the index must match the shards (a directory-level check).
#include <gtest/gtest.h>

#include "modelgate/scan.h"
#include "test_util.h"

using namespace modelgate;

namespace {

class ShardedCheckpoint : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new mgtest::TempDir();
    auto gen = mgtest::run(mgtest::python() + " " +
                           (mgtest::source_dir() / "tests/fixtures/make_safetensors_gguf.py").string() +
                           " fixtures " + dir_->path().string());
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
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
  static mgtest::TempDir* dir_;
};
mgtest::TempDir* ShardedCheckpoint::dir_ = nullptr;

}  // namespace

TEST_F(ShardedCheckpoint, ConsistentIndexIsSafe) {
  auto r = scan_dir("sharded_ok");
  EXPECT_EQ(r.status, Status::safe);
  const auto* index = child(r, "model.safetensors.index.json");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->facts["sharded_checkpoint"]["shards"], 2);
  EXPECT_EQ(index->facts["sharded_checkpoint"]["shards_compared"], 2);
  EXPECT_EQ(index->facts["sharded_checkpoint"]["tensors"], 4);
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
