// The container limits of issue 3: nesting depth, member count, total unpacked bytes. Each is a
// refusal naming the limit, never a silent stop that leaves the rest unscanned and "safe".
#include <gtest/gtest.h>

#include "tar_builder.h"
#include "test_util.h"

namespace {

using namespace mgtest;

modelgate::ArtifactReport scan_with(const std::string& bytes, const modelgate::Limits& limits) {
  modelgate::ScanOptions opts;
  opts.limits = limits;
  return modelgate::scan_bytes("mem.tar", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts);
}

TEST(ContainerLimits, NestingDepthIsRefused) {
  std::string inner = tar_member("a.txt", "hello\n") + tar_end();
  for (int i = 0; i < 10; ++i) inner = tar_member("level" + std::to_string(i) + ".tar", inner) + tar_end();
  modelgate::Limits limits;
  auto r = scan_with(inner, limits);
  EXPECT_EQ(r.status, modelgate::Status::refused);
  EXPECT_TRUE(has_rule(r, "MG-LIMIT-EXCEEDED"));
  limits.max_nesting_depth = 16;
  EXPECT_EQ(scan_with(inner, limits).status, modelgate::Status::safe);
}

TEST(ContainerLimits, MemberCountIsRefused) {
  std::string t;
  for (int i = 0; i < 50; ++i) t += tar_member("f" + std::to_string(i) + ".txt", "text\n");
  t += tar_end();
  modelgate::Limits limits;
  EXPECT_EQ(scan_with(t, limits).status, modelgate::Status::safe);
  limits.max_archive_members = 10;
  auto r = scan_with(t, limits);
  EXPECT_EQ(r.status, modelgate::Status::refused);
  EXPECT_TRUE(has_rule(r, "MG-LIMIT-EXCEEDED"));
  // The tar checkpoint path (Python tarfile's view) applies the same limit.
  std::string ckpt = tar_member("sys_info", "N.");
  for (int i = 0; i < 20; ++i) ckpt += tar_member("pickle", "N.");
  ckpt += tar_end();
  auto r2 = scan_with(ckpt, limits);
  EXPECT_GE(r2.status, modelgate::Status::refused);
  EXPECT_TRUE(has_rule(r2, "MG-LIMIT-EXCEEDED"));
}

TEST(ContainerLimits, TotalUnpackedBytesAreRefused) {
  std::string t = tar_member("a.txt", std::string(8192, 'a')) + tar_member("b.txt", std::string(8192, 'b')) + tar_end();
  modelgate::Limits limits;
  limits.max_total_unpacked = 10000;
  auto r = scan_with(t, limits);
  EXPECT_EQ(r.status, modelgate::Status::refused);
  EXPECT_TRUE(has_rule(r, "MG-LIMIT-EXCEEDED"));
}

}  // namespace
