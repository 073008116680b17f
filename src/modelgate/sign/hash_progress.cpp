#include "sign/hash_progress.h"

#include <cstdio>

namespace modelgate::sign {

HashProgress::HashProgress(bool enabled, std::uint64_t total_bytes) : enabled_(enabled), total_(total_bytes) {}

HashProgress::~HashProgress() {
  if (enabled_ && drawn_.load()) draw(elapsed_ms(), true);
}

std::int64_t HashProgress::elapsed_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
}

void HashProgress::draw(std::int64_t now_ms, bool final) {
  drawn_ = true;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  double done = static_cast<double>(done_.load(std::memory_order_relaxed));
  double total = static_cast<double>(total_);
  double seconds = static_cast<double>(now_ms) / 1000.0;
  std::fprintf(stderr, "\r\033[Kmodelgate: hashed %.2f of %.2f GiB (%.0f%%), %.0f MiB/s%s", done / kGiB, total / kGiB,
               total > 0 ? 100.0 * done / total : 100.0, seconds > 0 ? done / (1024.0 * 1024.0) / seconds : 0.0,
               final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace modelgate::sign
