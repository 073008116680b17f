#pragma once
// A confined parse worker and the broker's handle on it. The broker opens each input itself and
// passes the descriptor; the worker maps it, runs the job it was forked with (the engine's scan of
// the file, scan/worker_scan_job.h) and returns the report in the result encoding (result_codec.h),
// which the broker decodes as untrusted input. Whatever goes wrong in the worker — a signal, a limit, a timeout, a
// malformed result — becomes a `refused` report under an MG-SANDBOX-* rule, never `safe`, and the
// worker is gone afterwards (the pool starts a fresh one).
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/bytes.h"
#include "core/expected.h"
#include "core/rule_id.h"
#include "modelgate/limits.h"
#include "sandbox/confinement.h"
#include "sandbox/descriptor_passing.h"
#include "sandbox/result_codec.h"

namespace modelgate::sandbox {

// Files a worker parses before the pool replaces it with a fresh one.
inline constexpr unsigned kFilesPerWorker = 256;

struct WorkerConfig {
  std::chrono::milliseconds timeout{600'000};  // wall time for one file
  std::uint64_t data_bytes = 0;                // RLIMIT_DATA; 0: none
  std::uint64_t cpu_seconds = 0;               // RLIMIT_CPU over the worker's life; 0: none
  ResultBounds bounds;
  // Runs inside the confined worker right before it parses a file (tests: hostile actions).
  std::function<void(const std::string& name)> before_parse;
  // The worker may compute digests or check signatures: OpenSSL, which reads its configuration the
  // first time it is used, is started before confinement. Off for a scan that hashes nothing, which
  // then does not pay OpenSSL's start; a digest asked for anyway ends the worker (refused).
  bool digests = true;
};

// Half of the machine's physical memory: the most a worker's memory limit is set to. A limit above
// what the machine has never fires; the kernel's OOM killer acts first, on whichever process it picks.
std::uint64_t worker_memory_ceiling();

// The configuration `Limits` asks for, its memory limit capped at worker_memory_ceiling() (and left
// off in AddressSanitizer builds).
WorkerConfig worker_config(const Limits& limits);

// What a worker does with each file it is given, confined: the file's mapped bytes in, an encoded
// result (result_codec.h) out. An exception ends the worker (MG-SANDBOX-CRASH).
using WorkerJob = std::function<std::vector<std::uint8_t>(const std::shared_ptr<const ByteSource>& file,
                                                          const std::string& origin, const std::string& name)>;

// A worker's two channels: requests (a socket: descriptors travel with them) and results (a pipe).
// [0] is the broker's end, [1] the worker's.
struct WorkerChannel {
  int requests[2] = {-1, -1};
  int results[2] = {-1, -1};
  std::optional<Error> open();
};

// fork() for a worker or for the process that forks them (worker_zygote.h): first what every worker
// needs loaded (it cannot load anything once confined), and never while a library is being loaded.
// `library_loads_at_fork`: library_loads() at the fork.
pid_t fork_for_workers(const WorkerConfig& config, std::uint64_t& library_loads_at_fork);

// In a freshly forked child: keeps only the worker's end of `channel`, confines itself and parses
// each file the broker passes until the channel closes.
[[noreturn]] void run_worker(const WorkerChannel& channel, const WorkerJob& job, const WorkerConfig& config);

class ParseWorker {
 public:
  // Forks a worker that confines itself and reports its layers. An error when the fork or the
  // worker's first message fails.
  static Expected<std::unique_ptr<ParseWorker>> start(WorkerJob job, const WorkerConfig& config);
  // start() in two halves, so that several workers confine themselves at once: launch() forks,
  // await_hello() reads the worker's first message (its layers). A worker whose hello fails is
  // unusable (and killed when destroyed).
  static Expected<std::unique_ptr<ParseWorker>> launch(WorkerJob job, const WorkerConfig& config);
  std::optional<Error> await_hello();
  // The broker's handle on a worker forked elsewhere (worker_zygote.h) as this process's child,
  // given the broker's ends of its channel; an error when they cannot be set up.
  static Expected<std::unique_ptr<ParseWorker>> adopt(pid_t pid, int requests, int results, const WorkerConfig& config,
                                                      std::uint64_t library_loads_at_fork);
  // Kills the worker without waiting for it to end (its exit, with its namespaces, takes
  // milliseconds): the destructor reaps it. The worker can take no more files.
  void stop();
  // Reaps a stopped worker if it has ended; true once reaped (or never started).
  bool reaped();
  ~ParseWorker();
  ParseWorker(const ParseWorker&) = delete;
  ParseWorker& operator=(const ParseWorker&) = delete;

  const ConfinementReport& confinement() const { return confinement_; }
  pid_t pid() const { return pid_; }
  bool alive() const { return pid_ > 0; }
  unsigned files() const { return files_; }
  // library_loads() when the worker was forked.
  std::uint64_t library_loads_at_fork() const { return library_loads_at_fork_; }
  // The worker ended because a parser needed a library that this process loads at first use
  // (core/lazy_library.h) and had not loaded when it forked the worker.
  bool library_needed() const { return library_needed_; }

  // Runs the job on the regular file open on `fd` (the broker keeps ownership of it). After a
  // failure the worker is dead (alive() is false), the report names why and the attachment is empty.
  WorkerResult run(int fd, const std::string& origin, const std::string& name, std::uint64_t size);

  // The same in two halves, so that the broker can queue the next files while the worker parses:
  // submit() passes files (their descriptors must stay open until their results are collected),
  // collect() reads the result of the oldest file submitted and not yet collected. The worker
  // takes them in order; when it fails, the file being collected is refused and the ones queued
  // behind it were never parsed (queued() says how many), to be submitted again to a fresh worker.
  // Several files go in one message, which wakes the worker once for all of them.
  struct Request {
    int fd;
    const std::string* origin;
    const std::string* name;
  };
  static constexpr std::size_t kMaxBatch = kMaxPassedDescriptors;
  enum class Submit { queued, full, too_long, gone };
  // At most kMaxBatch files. `wait`: block until the request fits in the channel; otherwise `full`
  // when it does not now. `too_long`: the files' names do not fit in one request.
  Submit submit(std::span<const Request> files, bool wait);
  WorkerResult collect(const std::string& origin, std::uint64_t size);
  unsigned queued() const { return queued_; }
  static bool fits_request(std::span<const Request> files);
  ArtifactReport scan(int fd, const std::string& origin, const std::string& name, std::uint64_t size) {
    return run(fd, origin, name, size).report;
  }

 private:
  ParseWorker(pid_t pid, int requests, int results, const WorkerConfig& config)
      : pid_(pid), requests_(requests), results_(results), config_(config) {}
  // Kills and reaps the worker; returns what ended it, as a refusal of `origin`.
  WorkerResult fail(const std::string& origin, std::uint64_t size, RuleId fallback_rule, std::string why);
  enum class Read { ok, eof, timeout };
  Read read_exact(std::uint8_t* out, std::size_t n, std::chrono::steady_clock::time_point deadline);

  static constexpr std::size_t kInboxBytes = 64 * 1024;

  pid_t pid_;
  pid_t stopped_ = -1;      // stop() killed it and it is not reaped yet
  int requests_, results_;  // results_: non-blocking
  // Bytes read from results_ and not yet taken by read_exact().
  std::unique_ptr<std::uint8_t[]> inbox_;
  std::size_t inbox_begin_ = 0, inbox_end_ = 0;
  WorkerConfig config_;
  ConfinementReport confinement_;
  std::uint64_t library_loads_at_fork_ = 0;
  unsigned files_ = 0;   // files submitted over the worker's life
  unsigned queued_ = 0;  // submitted, result not yet collected
  bool library_needed_ = false;
};

}  // namespace modelgate::sandbox
