// Budgets, not declared sizes (issue 10): nothing is allocated by a size an input declares, and one
// unpack budget per top-level artifact is charged at every nesting level. Over-budget artifacts are
// refused by a finding that names the limit.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "pickle_builder.h"
#include "tar_builder.h"
#include "test_util.h"
#include "zip_builder.h"

namespace unpack_budget_test {

namespace {

using namespace mgtest;

modelgate::ArtifactReport scan_with(const std::string& bytes, const modelgate::Limits& limits, std::string name = "mem") {
  modelgate::ScanOptions opts;
  opts.limits = limits;
  return modelgate::scan_bytes(name, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts).value();
}

// The message of the first finding of `rule` anywhere in the report ("" when there is none).
std::string message_of(const modelgate::ArtifactReport& r, const std::string& rule) {
  for (const auto* f : r.all_findings())
    if (f->rule == rule) return f->message;
  return "";
}

std::string zlib_compress(const std::string& in) {
  uLongf n = compressBound(in.size());
  std::string out(n, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()), in.size(), 9);
  out.resize(n);
  return out;
}

// Deflate members that declare 4 GB: from no data at all (the 200-byte zip of the issue), and
// from 4.3 MB of incompressible data, just under the compression-ratio limit. Neither produces
// what it declares.
std::vector<std::string> declared_bombs() {
  Entry nothing{"archive/data.pkl", "hello"};
  nothing.method = 8;
  nothing.declared_size = 0xF0000000;
  nothing.declared_compressed = 0;
  std::mt19937 random(7);
  std::string noise(4'300'000, '\0');
  for (auto& c : noise) c = static_cast<char>(random());
  Entry big{"big.bin", noise};
  big.method = 8;
  big.declared_size = 0xF0000000;
  return {build_zip({nothing}), build_zip({big})};
}

TEST(UnpackBudget, DeclaredSizesAreNeverAllocated) {
  auto bombs = declared_bombs();
  EXPECT_LT(bombs[0].size(), 300u);
  for (const auto& z : bombs) {
    auto r = scan(z, "bomb.zip");
    EXPECT_EQ(r.status, modelgate::Status::refused);
  }
}

#if !defined(__SANITIZE_ADDRESS__)
// The peak memory of those scans, measured for real: in a child whose address space is capped at
// what it already uses plus 256 MiB, each must end in a refusal (not std::bad_alloc).
TEST(UnpackBudget, DeclaredSizesStayWithinASmallAddressSpace) {
  auto bombs = declared_bombs();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::ifstream statm("/proc/self/statm");
    unsigned long pages = 0;
    statm >> pages;
    rlimit as{};
    as.rlim_cur = as.rlim_max = pages * static_cast<unsigned long>(::sysconf(_SC_PAGESIZE)) + (256ul << 20);
    ::setrlimit(RLIMIT_AS, &as);
    try {
      for (const auto& z : bombs)
        if (scan(z, "bomb.zip").status != modelgate::Status::refused) ::_exit(1);
    } catch (...) {
      ::_exit(2);
    }
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    std::fprintf(stderr, "peak RSS of the declared-size scans: %ld KiB\n", ru.ru_maxrss);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: not refused, 2: an allocation failed";
}
#endif

// Text of `n` bytes (scans safe).
std::string text(std::size_t n) {
  std::string t;
  while (t.size() < n) t += "the quick brown fox jumps over the lazy dog\n";
  return t.substr(0, n);
}

// zip in tar in zip: the outer member unpacks to a 72 KB tar, whose members (a small zip and a
// 70 KB text) are copied out, and the inner zip inflates 40 KB. Each alone fits in 100,000 bytes;
// together they do not. The text follows the zip so that the zip's end record lies more than 64 KiB
// before the tar's end: nearer, zipfile would also open the tar as a zip (a polyglot, refused).
TEST(UnpackBudget, OneBudgetIsChargedAtEveryNestingLevel) {
  Entry leaf{"notes/leaf.txt", text(40'000)};
  leaf.method = 8;
  std::string tar = tar_member("inner.zip", build_zip({leaf})) + tar_member("readme.txt", text(70'000)) + tar_end();
  Entry mid{"inner.tar", tar};
  mid.method = 8;
  std::string outer = build_zip({mid});
  modelgate::Limits limits;
  auto ok = scan_with(outer, limits, "outer.zip");
  EXPECT_EQ(ok.status, modelgate::Status::safe);
  limits.max_total_unpacked = 100'000;
  auto r = scan_with(outer, limits, "outer.zip");
  EXPECT_EQ(r.status, modelgate::Status::refused);
  EXPECT_NE(message_of(r, "MG-LIMIT-EXCEEDED").find("max_total_unpacked"), std::string::npos)
      << message_of(r, "MG-LIMIT-EXCEEDED");
  // Held at once while the leaf inflates: the tar (72 KB), the inner zip and the leaf (40 KB).
  limits = {};
  limits.max_unpacked_in_memory = 100'000;
  auto m = scan_with(outer, limits, "outer.zip");
  EXPECT_EQ(m.status, modelgate::Status::refused);
  EXPECT_NE(message_of(m, "MG-LIMIT-EXCEEDED").find("max_unpacked_in_memory"), std::string::npos)
      << message_of(m, "MG-LIMIT-EXCEEDED");
}

TEST(UnpackBudget, CompressedJoblibAndNestedPicklePayloadsAreCharged) {
  std::string pickled = PickleBuilder().proto(2).str(std::string(50'000, 'x')).stop().done();
  modelgate::Limits limits;
  std::string joblib = zlib_compress(pickled);
  EXPECT_NE(scan_with(joblib, limits).status, modelgate::Status::refused);
  limits.max_total_unpacked = 40'000;
  auto j = scan_with(joblib, limits);
  EXPECT_EQ(j.status, modelgate::Status::refused);
  EXPECT_NE(message_of(j, "MG-LIMIT-EXCEEDED").find("max_total_unpacked"), std::string::npos);

  // pickle.loads(b"...") carrying a 20 KB pickle: analysed as a nested artifact within the limit.
  std::string inner = PickleBuilder().proto(2).bytes(std::string(20'000, 'y')).stop().done();
  std::string outer = PickleBuilder().proto(2).global("pickle", "loads").bytes(inner).tuple1().reduce().stop().done();
  limits = {};
  limits.max_nested_payload = 10'000;
  auto p = scan_with(outer, limits);  // unsafe anyway (pickle.loads); the payload is refused
  EXPECT_NE(p.status, modelgate::Status::safe);
  EXPECT_NE(message_of(p, "MG-LIMIT-EXCEEDED").find("max_nested_payload"), std::string::npos)
      << message_of(p, "MG-LIMIT-EXCEEDED");
}

}  // namespace

}  // namespace unpack_budget_test
