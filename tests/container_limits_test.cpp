// The container limits of issue 3: nesting depth, member count, total unpacked bytes. Each is a
// refusal naming the limit, never a silent stop that leaves the rest unscanned and "safe".
#include <gtest/gtest.h>
#include <zlib.h>

#include "tar_builder.h"
#include "test_util.h"

namespace container_limits_test {

namespace {

using namespace mgtest;

modelgate::ArtifactReport scan_with(const std::string& bytes, const modelgate::Limits& limits) {
  modelgate::ScanOptions opts;
  opts.limits = limits;
  return modelgate::scan_bytes("mem.tar", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts).value();
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

std::string gzip_of(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(data.size() + 128, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// An LZMA-alone header whose dictionary libarchive's decoder refuses (2 GiB): joblib would still try
// it. The raw reading hands back the same bytes, which used to be re-read as themselves down to the
// nesting limit; it is one specific refusal.
TEST(ContainerLimits, CompressorMagicNoDecoderAcceptsIsRefusedOnce) {
  std::string lzma("\x5d\x00\x00\x00\x80\xff\xff\xff\xff\xff\xff\xff\xff\x00\x34\x19\x49\xee", 18);
  auto r = scan_with(lzma, modelgate::Limits{});
  EXPECT_EQ(r.status, modelgate::Status::refused);
  EXPECT_TRUE(has_rule(r, "MG-ARCHIVE-UNREADABLE"));
  EXPECT_TRUE(r.children.empty());
}

// Inside a gzip stream, data that starts like an lrzip, lzop or uuencoded stream stays data: no
// loader decodes a second layer libarchive's "all filters" would (lrzip and lzop by running a program).
TEST(ContainerLimits, OnlyTheLoadersCompressionsAreDecoded) {
  const std::string inners[] = {std::string("LRZI\x00\x06", 6) + std::string(40, 'x'),
                                std::string("\x89LZO\x00\r\n\x1a\n", 9) + std::string(40, 'x'),
                                "begin 644 x\n" + std::string(40, 'M') + "\n`\nend\n"};
  for (const auto& inner : inners) {
    SCOPED_TRACE(inner.substr(0, 4));
    auto r = scan_with(gzip_of(inner), modelgate::Limits{});
    ASSERT_EQ(r.children.size(), 1u);
    for (const auto& f : r.findings) EXPECT_EQ(f.message.find("program"), std::string::npos) << f.message;
    EXPECT_EQ(r.children[0].size, inner.size());
  }
}

}  // namespace

}  // namespace container_limits_test
