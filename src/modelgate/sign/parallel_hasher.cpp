#include "sign/parallel_hasher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <atomic>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include "core/regular_file.h"
#include "sign/hash_progress.h"

// Test builds define this to act between the open and the hashing (scan/scan_file.cpp has the
// same hook); the program does not, so the weak reference is null there.
extern "C" void modelgate_test_after_open(const char* path) __attribute__((weak));

namespace modelgate::sign {

namespace {

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

std::optional<Error> hash_one(const HashRange& range, HashAlgorithm algorithm, std::uint8_t* buffer,
                              std::size_t buffer_size, HashProgress& progress, Bytes& digest) {
  // Never blocks: a file replaced by a FIFO or a device since the walk is refused, not waited on.
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (range.follow_symlinks ? 0 : O_NOFOLLOW);
  const std::string name = range.path.string();
  FdCloser fd{::open(range.path.c_str(), flags)};
  if (fd.fd < 0) return verification_failure("model files", "cannot open " + name + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0)
    return verification_failure("model files", "cannot examine " + name + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return verification_failure("model files", name + " is now a " + file_kind_name(st.st_mode) + ", not a regular file");
  if (std::string change = change_between(range.listed, st); !change.empty())
    return verification_failure("model files", name + " changed after it was listed: " + change);
  if (modelgate_test_after_open != nullptr) modelgate_test_after_open(range.path.c_str());
  ::posix_fadvise(fd.fd, static_cast<off_t>(range.start), static_cast<off_t>(range.end - range.start),
                  POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), evp_md(algorithm), nullptr) != 1)
    return usage_failure("hashing", "OpenSSL digest initialisation failed");
  std::uint64_t offset = range.start;
  while (offset < range.end) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer_size, range.end - offset));
    ssize_t got = ::pread(fd.fd, buffer, want, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      return verification_failure("model files", "cannot read " + name + ": " + std::strerror(errno));
    }
    if (got == 0) return verification_failure("model files", name + " was truncated while being hashed");
    EVP_DigestUpdate(ctx.get(), buffer, static_cast<std::size_t>(got));
    offset += static_cast<std::uint64_t>(got);
    progress.add(static_cast<std::uint64_t>(got));
  }
  // Bytes read while the file was being rewritten are neither version: nothing is signed from them.
  struct stat now {};
  if (::fstat(fd.fd, &now) != 0)
    return verification_failure("model files", "cannot examine " + name + ": " + std::strerror(errno));
  if (std::string change = change_between(st, now); !change.empty())
    return verification_failure("model files", name + " changed while it was hashed: " + change);
  digest.assign(digest_size(algorithm), 0);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) != 1 || len != digest.size())
    return usage_failure("hashing", "OpenSSL digest finalisation failed");
  return std::nullopt;
}

}  // namespace

Expected<std::vector<Bytes>> hash_ranges(const std::vector<HashRange>& ranges, HashAlgorithm algorithm,
                                         const HashOptions& options) {
  std::vector<Bytes> digests(ranges.size());
  std::vector<std::size_t> order(ranges.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return ranges[a].end - ranges[a].start > ranges[b].end - ranges[b].start;
  });
  unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>({threads, 64u, static_cast<unsigned>(std::max<std::size_t>(1, ranges.size()))});
  std::uint64_t total = 0;
  for (const auto& r : ranges) total += r.end - r.start;
  HashProgress progress(options.show_progress, total);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;

  auto worker = [&] {
    std::unique_ptr<std::uint8_t[]> buffer(new std::uint8_t[options.read_size]);
    while (!stop.load(std::memory_order_relaxed)) {
      std::size_t i = next.fetch_add(1);
      if (i >= order.size()) break;
      std::size_t index = order[i];
      if (auto err = hash_one(ranges[index], algorithm, buffer.get(), options.read_size, progress, digests[index])) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::move(*err);
        stop = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first_error) return *first_error;
  return digests;
}

}  // namespace modelgate::sign
