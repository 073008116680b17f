// Directory walks at scale: a tree 5,000 directories deep, and one directory of 10,000 files (the
// 100,000-file case is bench/wide_directory.sh: creating it takes minutes on a loaded CI machine).
// Memory must grow linearly (the old recursive walk cost 938 MB for 4,000 levels), files deep in
// the tree must be read as files, and the depth limit must refuse, by name, what lies beyond it.
// Peak memory and time are printed for the record (docs/cli.md quotes them).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "fault_test_util.h"
#include "sandbox/confinement.h"
#include "pickle_builder.h"

namespace walk_scale_test {

using namespace mgtest;

namespace {

// Peak memory bounds hold for the shipped build; AddressSanitizer's shadow memory and quarantine
// multiply every allocation, so its builds print the figure and scale the bound.
long rss_bound_kb(long kb) { return modelgate::sandbox::kAddressSanitizer ? 6 * kb : kb; }

std::string evil_pickle() {
  return PickleBuilder().proto(2).global("os", "system").str("touch /tmp/modelgate-pwned").tuple1().reduce().stop().done();
}
std::string safe_pickle() { return PickleBuilder().proto(2).op('}').str("a").binint1(1).op('s').stop().done(); }

void write_at(int dir, const char* name, const std::string& bytes) {
  int fd = ::openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

// root/d/d/.../d (`depth` levels) with a safe pickle at level 10 and an evil one at the bottom.
void make_deep_tree(const fs::path& root, int depth) {
  fs::create_directories(root);
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int level = 1; level <= depth; ++level) {
    ASSERT_EQ(::mkdirat(fd, "d", 0755), 0);
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    ASSERT_GE(next, 0);
    fd = next;
    if (level == 10) write_at(fd, "shallow.pkl", safe_pickle());
  }
  write_at(fd, "deep.pkl", evil_pickle());
  ::close(fd);
}

// Removes a tree too deep for std::filesystem (paths past PATH_MAX).
struct DeepTreeCleanup {
  fs::path root;
  ~DeepTreeCleanup() { run("rm -rf " + root.string()); }
};

}  // namespace

TEST(WalkScale, DeepTreeIsRefusedAtTheLimitAndWalkedLinearlyBeyondIt) {
  TempDir t;
  DeepTreeCleanup cleanup{t / "deep"};
  make_deep_tree(t / "deep", 5000);
  // The program, default limit: the subtree past 256 levels is refused by the limit's name.
  auto r = run(modelgate_binary() + " scan " + (t / "deep").string() + " 2>&1 | grep -o 'deeper than max_directory_depth ([0-9]* levels)\\|policy denies'");
  EXPECT_NE(r.output.find("max_directory_depth (256 levels)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("policy denies"), std::string::npos) << r.output;
  auto m = measure(modelgate_binary() + " scan " + (t / "deep").string());
  EXPECT_EQ(m.exit_code, 1);
  std::printf("deep tree, 5000 levels, default limit: %.2f s, peak RSS %ld kB\n", m.seconds, m.peak_rss_kb);

  // The library with the limit raised past the depth: every level is walked, the file at the bottom
  // (a path of 10,000 bytes, past PATH_MAX) is opened and found, in memory linear in the depth.
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    modelgate::ScanOptions options;
    options.limits.max_directory_depth = 6000;
    options.threads = 1;
    auto result = modelgate::scan_paths({t / "deep"}, options);
    std::string summary = std::string(modelgate::to_string(result.artifacts[0].status)) + " " +
                          std::to_string(result.artifacts[0].children.size());
    for (const auto& c : result.artifacts[0].children)
      summary += " " + std::string(modelgate::to_string(c.status)) + ":" + c.format;
    ssize_t ignored = ::write(out[1], summary.data(), summary.size());
    (void)ignored;
    ::_exit(0);
  }
  ::close(out[1]);
  std::string summary;
  char buf[256];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) summary.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(summary, "unsafe 2 unsafe:pickle safe:pickle");  // d/d/.../deep.pkl sorts first
  std::printf("deep tree, 5000 levels, walked fully: %.2f s, peak RSS %ld kB\n", seconds, usage.ru_maxrss);
  EXPECT_LT(usage.ru_maxrss, rss_bound_kb(200 * 1024)) << "kB";
}

// One wide directory: every file is reported exactly once, in order, the dangerous one among them
// found, and memory grows by a bounded amount per file (the reports kept for output), not more.
TEST(WalkScale, WideDirectoryReportsEveryFileOnceInLinearMemory) {
  TempDir t;
  constexpr int kFiles = 10000;
  fs::create_directories(t / "wide");
  int fd = ::open((t / "wide").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string safe = safe_pickle();
  for (int i = 0; i < kFiles; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%05d.pkl", i);
    write_at(fd, name, safe);
  }
  write_at(fd, "zz-evil.pkl", evil_pickle());
  ::close(fd);

  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    modelgate::ScanOptions options;
    options.threads = 2;
    auto result = modelgate::scan_paths({t / "wide"}, options);
    const auto& children = result.artifacts.at(0).children;
    std::size_t safe_count = 0, in_order = 1;
    std::string unsafe;
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (children[i].status == modelgate::Status::safe) ++safe_count;
      else unsafe += fs::path(children[i].origin).filename().string();
      if (i > 0 && !(children[i - 1].origin < children[i].origin)) in_order = 0;
    }
    std::string summary = std::string(modelgate::to_string(result.artifacts[0].status)) + " " +
                          std::to_string(children.size()) + " " + std::to_string(safe_count) + " " + unsafe + " " +
                          std::to_string(in_order);
    ssize_t ignored = ::write(out[1], summary.data(), summary.size());
    (void)ignored;
    ::_exit(0);
  }
  ::close(out[1]);
  std::string summary;
  char buf[256];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) summary.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(summary, "unsafe 10001 10000 zz-evil.pkl 1");
  std::printf("wide directory, %d files: %.2f s, peak RSS %ld kB\n", kFiles + 1, seconds, usage.ru_maxrss);
  // The reports of 10,001 files: a few KiB each at most (measured about 2.5 KiB), on top of the
  // test binary's own baseline.
  EXPECT_LT(usage.ru_maxrss, rss_bound_kb(150 * 1024)) << "kB";
}

}  // namespace walk_scale_test
