#include "scan/progress.h"

#include <cstdio>

namespace modelgate {

Progress::Progress(bool enabled, std::uint64_t total_files) : enabled_(enabled), total_(total_files) {
  if (enabled_) thread_ = std::thread([this] { run(); });
}

Progress::~Progress() {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (drawn_) draw(true);
}

void Progress::run() {
  std::unique_lock<std::mutex> lock(mu_);
  if (cv_.wait_for(lock, std::chrono::seconds(2), [this] { return stop_; })) return;
  while (!stop_) {
    draw(false);
    cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; });
  }
}

void Progress::draw(bool final) {
  drawn_ = true;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double mib = static_cast<double>(bytes_.load()) / (1024.0 * 1024.0);
  std::fprintf(stderr, "\r\033[Kmodelgate: %llu/%llu files, %.1f MiB, %.1f MiB/s, %.0f files/s%s",
               static_cast<unsigned long long>(files_.load()), static_cast<unsigned long long>(total_),
               mib, secs > 0 ? mib / secs : 0.0, secs > 0 ? static_cast<double>(files_.load()) / secs : 0.0,
               final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace modelgate
