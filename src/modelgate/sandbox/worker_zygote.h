#pragma once
// A small process that forks the parse workers on the broker's request. The broker forks it once,
// before its scanning threads start; each worker it forks is made the broker's own child
// (CLONE_PARENT), so that the broker waits for it, kills it and reads how it ended exactly as for a
// worker it forked itself.
//
// Why: a fork copies the forking process's page tables, and afterwards every page of it that is
// written faults once more (copy on write). Forked from the broker, each recycled worker cost the
// broker both, growing with the broker's memory (on 2,000 small checkpoints the broker spent about
// a third of its time there), and a fork had to wait until every other scanning thread let go of
// its locks (fork_gate.h). The zygote holds no lock and has one thread, and its memory stays what
// the broker's was when it was forked.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "sandbox/parse_worker.h"

namespace modelgate::sandbox {

class WorkerZygote {
 public:
  // Forks the zygote. An error when it cannot be started.
  static Expected<std::unique_ptr<WorkerZygote>> start(WorkerJob job, const WorkerConfig& config);
  // Closes the zygote's channel (it exits) and reaps it. Workers it forked are the broker's.
  ~WorkerZygote();
  WorkerZygote(const WorkerZygote&) = delete;
  WorkerZygote& operator=(const WorkerZygote&) = delete;

  // A fresh worker, its hello not yet awaited; an error when the zygote is gone. Any thread may
  // call it.
  Expected<std::unique_ptr<ParseWorker>> launch();
  pid_t pid() const { return pid_; }
  // library_loads() when the zygote was forked: a library the broker loaded since is not in it.
  std::uint64_t library_loads_at_fork() const { return library_loads_at_fork_; }

 private:
  WorkerZygote(pid_t pid, int control, const WorkerConfig& config, std::uint64_t loads)
      : pid_(pid), control_(control), config_(config), library_loads_at_fork_(loads) {}

  pid_t pid_;
  int control_;  // a SOCK_SEQPACKET socket: one byte asks for a worker, the reply carries it
  WorkerConfig config_;
  std::uint64_t library_loads_at_fork_;
  std::mutex lock_;  // one request and its reply at a time
};

}  // namespace modelgate::sandbox
