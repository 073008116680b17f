#include "scan/file_jobs.h"

#include <atomic>
#include <optional>
#include <thread>

#include "sandbox/fork_gate.h"
#include "scan/progress.h"
#include "scan/worker_pool.h"
#include "scan/worker_scan_job.h"

namespace modelgate {

namespace {

sandbox::WorkerConfig scan_worker_config(const ScanContext& ctx, const ScanOptions& options) {
  auto config = sandbox::worker_config(options.limits);
  config.digests = ctx.hashes_contents();
  return config;
}

}  // namespace

std::shared_ptr<sandbox::WorkerZygote> start_worker_zygote(ScanContext& ctx, const ScanOptions& options) {
  if (options.sandbox == SandboxMode::off) return nullptr;
  const auto config = scan_worker_config(ctx, options);
  auto zygote = sandbox::WorkerZygote::start(scan_job(ctx), config);
  if (!zygote) return nullptr;
  return std::move(*zygote);
}

bool run_file_jobs(ScanContext& ctx, std::vector<FileJob>& jobs, const ScanOptions& options, ScanResult& result,
                   std::shared_ptr<sandbox::WorkerZygote> zygote) {
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(jobs.size(), 1)));
  std::optional<WorkerPool> workers;
  if (options.sandbox != SandboxMode::off) {
    workers.emplace(ctx, options.sandbox, threads, scan_worker_config(ctx, options), WorkerScan{}, std::move(zygote));
    if (workers->error()) {
      result.errors.push_back(*workers->error());
      return false;
    }
    result.sandbox = workers->layers();
  }
  Progress progress(options.progress, jobs.size());
  std::atomic<std::size_t> next{0};
  sandbox::ForkGate gate(threads);
  auto worker = [&](unsigned slot) {
    if (!workers) {
      for (std::size_t i; (i = next.fetch_add(1)) < jobs.size();) {
        *jobs[i].out = scan_file(ctx, jobs[i].file, jobs[i].origin);
        progress.file_done(jobs[i].out->size);
      }
      return;
    }
    sandbox::ForkGate::Scope forks(gate);
    using Queued = WorkerPool::QueuedFile;
    workers->scan_files(
        slot,
        [&]() -> std::optional<Queued> {
          std::size_t i = next.fetch_add(1);
          if (i >= jobs.size()) return std::nullopt;
          return Queued{&jobs[i].file, &jobs[i].origin, jobs[i].out};
        },
        [&](const Queued& q) { progress.file_done(q.out->size); });
    gate.finish();
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& t : pool) t.join();
  return true;
}

}  // namespace modelgate
