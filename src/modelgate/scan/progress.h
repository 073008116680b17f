#pragma once
// Progress on stderr for long runs: files, bytes and rate, redrawn in place. Silent unless
// enabled (the CLI enables it when stderr is a terminal) and the run has lasted 2 seconds.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace modelgate {

class Progress {
 public:
  Progress(bool enabled, std::uint64_t total_files);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void file_done(std::uint64_t bytes) {
    files_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }

 private:
  void run();
  void draw(bool final);
  bool enabled_;
  std::uint64_t total_;
  std::atomic<std::uint64_t> files_{0}, bytes_{0};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
  bool stop_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace modelgate
