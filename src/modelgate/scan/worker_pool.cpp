#include "scan/worker_pool.h"

#include "container/libarchive_library.h"
#include "core/lazy_library.h"
#include "format/hdf5_library.h"
#include "sandbox/fork_gate.h"
#include "core/sandbox_layers_json.h"

namespace modelgate {

using sandbox::ForkGate;
using sandbox::kFilesPerWorker;
using sandbox::ParseWorker;
using sandbox::WorkerResult;
using sandbox::WorkerZygote;

namespace {

// How far the broker reads ahead of a worker: files queued at once, and their total size. A large
// file is parsed alone; the queue is for many small files, where a round trip between the
// processes costs as much as the parse.
constexpr std::size_t kMaxQueuedFiles = ParseWorker::kMaxBatch;
constexpr std::uint64_t kMaxQueuedBytes = 4u << 20;
// A worker's successor is forked when this many of its files are left.
constexpr unsigned kLaunchAhead = 2 * kMaxQueuedFiles;

// Loads what a worker asked for (ParseWorker::library_needed): the libraries parsers load at first
// use, libarchive and libhdf5, both (the worker's status does not say which). Workers forked
// afterwards inherit them.
std::optional<Error> load_parser_libraries() {
  if (auto libarchive = libarchive_library(); !libarchive) return libarchive.error();
  if (auto hdf5 = hdf5_library(); !hdf5) return hdf5.error();
  return std::nullopt;
}

}  // namespace

// A file between its open and its verdict.
struct WorkerPool::Pending {
  QueuedFile queued;
  std::string name;
  std::uint64_t size = 0;
  std::optional<OpenedFile> opened;
  std::shared_ptr<MappedFile> mapped;  // with a result cache, to hash the bytes
  StoredVerdict stored;
  std::optional<ArtifactReport> unreadable;  // the whole verdict: the file could not be opened
  std::optional<ArtifactReport> parsed;      // the stored verdict, or the worker's
  bool submitted = false;                    // with the worker, result not yet collected
  bool libraries_loaded = false;             // its worker needed a library, loaded since

  bool needs_worker() const { return !unreadable && !parsed; }
};

WorkerPool::WorkerPool(ScanContext& ctx, SandboxMode mode, unsigned slots, const sandbox::WorkerConfig& config,
                       WorkerScan scan, std::shared_ptr<WorkerZygote> zygote)
    : ctx_(ctx),
      mode_(mode),
      config_(config),
      job_(scan_job(ctx, std::move(scan))),
      zygote_(std::move(zygote)),
      successors_(std::max(slots, 1u)) {
  // The zygote is forked before any scanning thread exists, so that it inherits no lock held by one,
  // and forks every worker (worker_zygote.h); without one, workers are forked here, through the
  // scan's ForkGate once the threads run. All are started before any is waited for, so that they
  // confine themselves at the same time.
  if (!zygote_) {
    if (auto zygote = WorkerZygote::start(job_, config_)) zygote_ = std::move(*zygote);
  }
  for (unsigned i = 0; i < std::max(slots, 1u); ++i) {
    auto w = launch();
    if (!w) {
      slots_.push_back(nullptr);
      error_ = "cannot start a parse worker: " + w.error().message();
      return;
    }
    slots_.push_back(std::move(*w));
  }
  for (auto& w : slots_) {
    if (auto no_hello = w->await_hello()) {
      error_ = "cannot start a parse worker: " + no_hello->message();
      return;
    }
  }
  const auto& c = slots_.front()->confinement();
  layers_.mode = mode;
  layers_.layers = c.applied;
  layers_.missing = c.missing;
  layers_.landlock_abi = c.landlock_abi;
  layers_.memory_limit = config.data_bytes != 0 ? "RLIMIT_DATA " + std::to_string(config.data_bytes) + " bytes"
                                                : std::string("off: AddressSanitizer build");
  if (mode_ == SandboxMode::strict && !c.missing.empty())
    error_ = "--sandbox strict: the parse workers cannot be confined: " + c.missing.front();
}

WorkerPool::~WorkerPool() {
  for (auto* workers : {&slots_, &successors_, &retired_})
    for (auto& w : *workers)
      if (w) w->stop();
}

void WorkerPool::launch_successor(unsigned slot) {
  if (successors_.at(slot)) return;
  auto next = launch();  // a failure shows in replace()
  if (next) successors_[slot] = std::move(*next);
}

Expected<std::unique_ptr<ParseWorker>> WorkerPool::launch() {
  std::shared_ptr<WorkerZygote> zygote;
  auto current = [&] {
    std::lock_guard lock(zygote_lock_);
    zygote = zygote_;
    return !zygote || zygote->library_loads_at_fork() == library_loads();
  };
  ForkGate* gate = ForkGate::current();
  if (!current()) {
    // Forked again, with the library the broker loaded since, as a worker used to be forked: while
    // no other scanning thread may hold a lock (none holds zygote_lock_ while it waits).
    if (gate) gate->fork_begin();
    if (!current()) {
      auto fresh = WorkerZygote::start(job_, config_);
      std::lock_guard lock(zygote_lock_);
      zygote = zygote_ = fresh ? std::move(*fresh) : nullptr;
    }
    if (gate) gate->fork_end();
  }
  if (zygote) {
    if (auto w = zygote->launch()) return w;
  }
  if (gate) gate->fork_begin();
  auto w = ParseWorker::launch(job_, config_);
  if (gate) gate->fork_end();
  return w;
}

std::optional<Error> WorkerPool::replace(unsigned slot) {
  auto& worker = slots_.at(slot);
  if (worker) {
    worker->stop();
    std::lock_guard lock(retired_lock_);
    std::erase_if(retired_, [](auto& w) { return w->reaped(); });
    retired_.push_back(std::move(worker));
  }
  if (auto& next = successors_.at(slot)) {
    worker = std::move(next);
    // One forked before a library was loaded may lack it (a file that needs it brought it in).
    if (worker->library_loads_at_fork() == library_loads() && !worker->await_hello()) return std::nullopt;
    worker.reset();
  }
  auto fresh = spawn();
  if (!fresh) return fresh.error();
  worker = std::move(*fresh);
  return std::nullopt;
}

Expected<std::unique_ptr<ParseWorker>> WorkerPool::spawn() {
  auto w = launch();
  if (w) {
    if (auto no_hello = (*w)->await_hello()) w = *no_hello;
  }
  if (!w) return parse_error(0, "cannot start a parse worker: " + w.error().message());
  return w;
}

ArtifactReport WorkerPool::scan_file(unsigned slot, const FileToScan& file, const std::string& origin) {
  ArtifactReport report;
  bool given = false;
  scan_files(
      slot,
      [&]() -> std::optional<QueuedFile> {
        if (given) return std::nullopt;
        given = true;
        return QueuedFile{&file, &origin, &report};
      },
      [](const QueuedFile&) {});
  return report;
}

void WorkerPool::submit_queued(unsigned slot, std::deque<Pending>& window) {
  for (;;) {
    std::vector<Pending*> todo;  // the files of `window` not yet with the worker, in order
    for (Pending& p : window)
      if (p.needs_worker() && !p.submitted) todo.push_back(&p);
    if (todo.empty()) return;
    auto& worker = slots_.at(slot);
    if (worker && worker->alive() && worker->files() + kLaunchAhead >= kFilesPerWorker) launch_successor(slot);
    if (!worker || !worker->alive() || worker->files() >= kFilesPerWorker) {
      if (worker && worker->alive() && worker->queued() > 0) return;  // used up: its queue drains first
      if (auto not_started = replace(slot)) {
        todo.front()->parsed =
            unreadable_file_report(*todo.front()->queued.origin, "unknown", "MG-SANDBOX-CRASH", not_started->message());
        continue;
      }
    }
    // As many as one request holds, up to what the worker has left of its files.
    const std::size_t most = std::min<std::size_t>(ParseWorker::kMaxBatch, kFilesPerWorker - worker->files());
    std::vector<ParseWorker::Request> batch;
    for (Pending* p : todo) {
      if (batch.size() == most) break;
      batch.push_back({p->opened->fd.get(), p->queued.origin, &p->name});
      if (!ParseWorker::fits_request(batch)) {
        batch.pop_back();
        break;
      }
    }
    // Only a request behind nothing waits for room in the channel: with files queued, the worker
    // may itself be waiting for this process to read a result.
    const bool first = worker->queued() == 0;
    const auto submitted = batch.empty() ? ParseWorker::Submit::too_long : worker->submit(batch, first);
    switch (submitted) {
      case ParseWorker::Submit::queued:
        for (std::size_t i = 0; i < batch.size(); ++i) todo[i]->submitted = true;
        continue;
      case ParseWorker::Submit::full: return;
      case ParseWorker::Submit::too_long:
      case ParseWorker::Submit::gone: {
        // Gone with files queued: collecting them finds out why, and these go to a fresh worker.
        if (!first) return;
        // The first file alone: its refusal names why (its names too long, or the worker gone).
        Pending& p = *todo.front();
        p.parsed = worker->run(p.opened->fd.get(), *p.queued.origin, p.name, p.size).report;
        p.parsed->details.sandbox = layers_;
        continue;
      }
    }
  }
}

void WorkerPool::scan_files(unsigned slot, const std::function<std::optional<QueuedFile>()>& next,
                            const std::function<void(const QueuedFile&)>& done) {
  std::deque<Pending> window;
  std::uint64_t window_bytes = 0;
  for (bool more = true;;) {
    // Refilled once half of it is done, so that the files opened meanwhile go to the worker in one
    // request.
    const bool refill = window.size() <= kMaxQueuedFiles / 2;
    while (refill && more && window.size() < kMaxQueuedFiles && (window.empty() || window_bytes < kMaxQueuedBytes)) {
      std::optional<QueuedFile> q = next();
      if (!q) {
        more = false;
        break;
      }
      Pending& p = window.emplace_back();
      p.queued = *q;
      const FileToScan& file = *q->file;
      const std::string& origin = *q->origin;
      auto opened = open_file_to_scan(file);
      if (!opened) {
        p.unreadable = unreadable_file_report(origin, "unreadable", "MG-IO-ERROR", "cannot read: " + opened.error().message());
        continue;
      }
      p.size = static_cast<std::uint64_t>(opened->st.st_size);
      // With a result cache this process hashes the bytes (hashing is not parsing) to look the verdict
      // up; the worker then parses only what the cache does not know.
      if (ctx_.result_cache() != nullptr) {
        auto mapped = MappedFile::map(opened->fd.get(), static_cast<std::size_t>(p.size));
        if (!mapped) {
          p.unreadable = unreadable_file_report(origin, "unreadable", "MG-IO-ERROR",
                                                "cannot read: " + file.path.string() + ": " + mapped.error().message());
          continue;
        }
        p.mapped = std::move(*mapped);
      }
      p.opened = std::move(*opened);
      p.name = file.name.empty() ? file.path.filename().string() : file.name;
      p.stored = find_stored_verdict(ctx_, origin, *p.opened, p.mapped.get(), p.name);
      if (p.stored.report) p.parsed = *p.stored.report;
      window_bytes += p.size;
    }
    if (window.empty()) return;
    Pending& p = window.front();
    while (p.needs_worker() && !p.submitted) submit_queued(slot, window);
    submit_queued(slot, window);
    if (p.needs_worker()) {
      auto& worker = slots_.at(slot);
      WorkerResult result = worker->collect(*p.queued.origin, p.size);
      if (!worker->alive()) {
        for (Pending& behind : window) behind.submitted = false;  // never parsed: to a fresh worker
        // Once per file, so that a worker asking again cannot keep it going round.
        if (worker->library_needed() && !p.libraries_loaded) {
          p.libraries_loaded = true;
          auto unloaded = load_parser_libraries();
          if (!unloaded) continue;  // this file too, to a fresh worker that has it
          result.report =
              unreadable_file_report(*p.queued.origin, "unknown", "MG-IO-ERROR", "cannot read: " + unloaded->message());
        }
      }
      result.report.details.sandbox = layers_;
      p.parsed = std::move(result.report);
    }
    ArtifactReport out = p.unreadable ? std::move(*p.unreadable)
                                      : settle_verdict(ctx_, *p.queued.file, *p.queued.origin, *p.opened, p.mapped.get(),
                                                       p.name, p.stored, std::move(*p.parsed));
    out.finalize();
    *p.queued.out = std::move(out);
    window_bytes -= p.opened ? p.size : 0;
    const QueuedFile finished = p.queued;
    window.pop_front();
    done(finished);
  }
}

WorkerResult WorkerPool::run_descriptor(unsigned slot, int fd, const std::string& origin, const std::string& name,
                                        std::uint64_t size) {
  auto& worker = slots_.at(slot);
  if (!worker || !worker->alive() || worker->files() >= kFilesPerWorker) {
    if (auto not_started = replace(slot))
      return {unreadable_file_report(origin, "unknown", "MG-SANDBOX-CRASH", not_started->message()), {}};
  }
  WorkerResult parsed = worker->run(fd, origin, name, size);
  if (worker->library_needed()) {
    if (auto unloaded = load_parser_libraries())
      parsed = {unreadable_file_report(origin, "unknown", "MG-IO-ERROR", "cannot read: " + unloaded->message()), {}};
    else if (auto not_started = replace(slot))
      parsed = {unreadable_file_report(origin, "unknown", "MG-SANDBOX-CRASH", not_started->message()), {}};
    else
      parsed = worker->run(fd, origin, name, size);
  }
  parsed.report.details.sandbox = layers_;
  return parsed;
}

}  // namespace modelgate
