#pragma once
// The broker's pool of parse workers: one slot per scanning thread, its worker started up front,
// replaced after a failure and recycled after kFilesPerWorker files. Workers are forked by the
// pool's zygote (worker_zygote.h). The broker opens every input itself and passes only the
// descriptor.
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "modelgate/scan.h"
#include "sandbox/parse_worker.h"
#include "sandbox/worker_zygote.h"
#include "scan/scan_file.h"
#include "scan/worker_scan_job.h"

namespace modelgate {

class WorkerPool {
 public:
  // The workers run `scan` on each file (worker_scan_job.h; empty: the engine's scan). `zygote`: one
  // already forked with the same job and `config` (scan/file_jobs.h); otherwise the pool forks its own.
  WorkerPool(ScanContext& ctx, SandboxMode mode, unsigned slots, const sandbox::WorkerConfig& config,
             WorkerScan scan = {}, std::shared_ptr<sandbox::WorkerZygote> zygote = nullptr);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  // Stops every worker first and then reaps them, so that their exits overlap.
  ~WorkerPool();

  // Why the pool cannot be used: a worker did not start, or (strict) a layer could not be applied.
  const std::optional<std::string>& error() const { return error_; }
  // The workers' confinement, as ScanResult::sandbox and every report's facts.sandbox give it.
  const SandboxLayers& layers() const { return layers_; }

  // Scans `file` in slot `slot`'s worker: this process opens it, the worker reads the descriptor.
  // Only one thread may use a slot at a time.
  ArtifactReport scan_file(unsigned slot, const FileToScan& file, const std::string& origin);

  // Scans every file `next` hands out, in slot `slot`'s worker, filling each one's `out` and then
  // calling `done`. While the files are small, several are queued in the worker at once, so that
  // neither process waits for the other between files.
  struct QueuedFile {
    const FileToScan* file;
    const std::string* origin;
    ArtifactReport* out;
  };
  void scan_files(unsigned slot, const std::function<std::optional<QueuedFile>()>& next,
                  const std::function<void(const QueuedFile&)>& done);
  // Scans the regular file open on `fd` (opened by this process; the caller keeps it) in slot
  // `slot`'s worker, starting a fresh worker first when the last one failed or is used up.
  ArtifactReport scan_descriptor(unsigned slot, int fd, const std::string& origin, const std::string& name,
                                 std::uint64_t size) {
    return run_descriptor(slot, fd, origin, name, size).report;
  }
  // The same, with the attachment the pool's WorkerScan returned for the file.
  sandbox::WorkerResult run_descriptor(unsigned slot, int fd, const std::string& origin, const std::string& name,
                              std::uint64_t size);

 private:
  // A fresh worker, its hello not awaited: from the zygote, or forked here when there is none.
  Expected<std::unique_ptr<sandbox::ParseWorker>> launch();
  Expected<std::unique_ptr<sandbox::ParseWorker>> spawn();
  // Forks slot `slot`'s next worker ahead of need, while the current one has a few files left, so
  // that it confines itself while the current one parses.
  void launch_successor(unsigned slot);
  // Replaces slot `slot`'s worker with its successor (or a fresh one): the error when none starts.
  // The worker replaced is stopped and reaped later, without waiting for its exit.
  std::optional<Error> replace(unsigned slot);
  struct Pending;
  // Submits the files of `window` not yet with the worker, in order, while it can take them.
  void submit_queued(unsigned slot, std::deque<Pending>& window);

  ScanContext& ctx_;
  SandboxMode mode_;
  sandbox::WorkerConfig config_;
  sandbox::WorkerJob job_;
  std::mutex zygote_lock_;
  // Replaced when the broker has loaded a library since it was forked; null when none starts.
  std::shared_ptr<sandbox::WorkerZygote> zygote_;
  std::vector<std::unique_ptr<sandbox::ParseWorker>> slots_;
  std::vector<std::unique_ptr<sandbox::ParseWorker>> successors_;  // per slot, launched ahead of need
  std::mutex retired_lock_;
  std::vector<std::unique_ptr<sandbox::ParseWorker>> retired_;  // stopped, not yet reaped
  std::optional<std::string> error_;
  SandboxLayers layers_;
};

}  // namespace modelgate
