#include "sandbox/worker_pool.h"

#include "core/display_facts.h"
#include "sandbox/sandbox_layers_json.h"

namespace modelgate::sandbox {

WorkerPool::WorkerPool(ScanContext& ctx, SandboxMode mode, unsigned slots, const WorkerConfig& config)
    : ctx_(ctx), mode_(mode), config_(config) {
  // Forked before any scanning thread exists, so that no worker inherits a lock held by one.
  for (unsigned i = 0; i < std::max(slots, 1u); ++i) {
    std::string why;
    slots_.push_back(spawn(why));
    if (!slots_.back()) {
      error_ = why;
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

std::unique_ptr<ParseWorker> WorkerPool::spawn(std::string& why) {
  auto w = ParseWorker::start(ctx_, config_, why);
  if (!w) why = "cannot start a parse worker: " + why;
  return w;
}

ArtifactReport WorkerPool::scan_file(unsigned slot, const FileToScan& file, const std::string& origin) {
  auto opened = open_file_to_scan(file);
  if (!opened) return unreadable_file_report(origin, "unreadable", "MG-IO-ERROR", "cannot read: " + opened.error().message);
  // With a result cache this process hashes the bytes (hashing is not parsing) to look the verdict
  // up; the worker then parses only what the cache does not know.
  std::shared_ptr<MappedFile> mapped;
  if (ctx_.result_cache() != nullptr) {
    std::string error;
    mapped = MappedFile::map(opened->fd.get(), static_cast<std::size_t>(opened->st.st_size), error);
    if (!mapped) return unreadable_file_report(origin, "unreadable", "MG-IO-ERROR", "cannot read: " + file.path.string() + ": " + error);
  }
  const std::string name = file.name.empty() ? file.path.filename().string() : file.name;
  ArtifactReport r = judge_opened_file(ctx_, file, origin, *opened, mapped.get(), name, [&](const std::string&) {
    return scan_descriptor(slot, opened->fd.get(), origin, name, static_cast<std::uint64_t>(opened->st.st_size));
  });
  r.finalize();
  return r;
}

WorkerResult WorkerPool::run_descriptor(unsigned slot, int fd, const std::string& origin, const std::string& name,
                                        std::uint64_t size) {
  auto& worker = slots_.at(slot);
  std::string why;
  if (!worker || !worker->alive() || worker->files() >= kFilesPerWorker) worker = spawn(why);
  if (!worker) return {unreadable_file_report(origin, "unknown", "MG-SANDBOX-CRASH", why), {}};
  WorkerResult parsed = worker->run(fd, origin, name, size);
  json_of(parsed.report.facts)["sandbox"] = sandbox_layers_json(layers_);
  return parsed;
}

}  // namespace modelgate::sandbox
