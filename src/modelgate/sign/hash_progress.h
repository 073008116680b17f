#pragma once
// Progress of a long hashing run on stderr: bytes hashed of the total and the rate, redrawn in place
// at most four times a second once the run has lasted two seconds (a 20 GB model takes a minute).
// Unlike the scan's per-file progress it counts bytes as they are read, so one huge file moves too.
// Any hashing thread reports; the one that finds a redraw due draws it, so no thread is added.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace modelgate::sign {

class HashProgress {
 public:
  HashProgress(bool enabled, std::uint64_t total_bytes);
  ~HashProgress();  // ends the line when something was drawn
  HashProgress(const HashProgress&) = delete;
  HashProgress& operator=(const HashProgress&) = delete;

  void add(std::uint64_t bytes) {
    if (!enabled_) return;
    done_.fetch_add(bytes, std::memory_order_relaxed);
    std::int64_t now = elapsed_ms();
    std::int64_t due = next_draw_ms_.load(std::memory_order_relaxed);
    if (now >= due && next_draw_ms_.compare_exchange_strong(due, now + 250)) draw(now, false);
  }

 private:
  std::int64_t elapsed_ms() const;
  void draw(std::int64_t now_ms, bool final);

  bool enabled_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> done_{0};
  std::atomic<std::int64_t> next_draw_ms_{2000};
  std::atomic<bool> drawn_{false};
};

}  // namespace modelgate::sign
