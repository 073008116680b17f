#include <atomic>
#include <thread>

#include "format/directory_checks.h"
#include "modelgate/scan.h"
#include "sandbox/worker_pool.h"
#include "scan/progress.h"
#include "scan/scan_context.h"
#include "scan/scan_file.h"
#include "scan/walk_notes.h"
#include "walk/walk.h"

namespace modelgate {

namespace fs = std::filesystem;

namespace {

struct FileJob {
  FileToScan file;
  std::string origin;
  ArtifactReport* out;
};

unsigned job_threads(unsigned threads, std::size_t jobs) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  return std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(jobs, 1)));
}

// `workers`: parse in the sandbox's workers (one slot per thread) instead of in this process.
void run_jobs(ScanContext& ctx, std::vector<FileJob>& jobs, unsigned threads, bool show_progress,
              sandbox::WorkerPool* workers) {
  Progress progress(show_progress, jobs.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&](unsigned slot) {
    for (std::size_t i; (i = next.fetch_add(1)) < jobs.size();)
    {
      *jobs[i].out = workers ? workers->scan_file(slot, jobs[i].file, jobs[i].origin)
                             : scan_file(ctx, jobs[i].file, jobs[i].origin);
      progress.file_done(jobs[i].out->size);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& t : pool) t.join();
}

}  // namespace

ScanResult scan_paths(const std::vector<fs::path>& paths, const ScanOptions& options) {
  ScanResult result;
  auto allowlist = pickle::Allowlist::from_profiles(options.policy.profiles,
                                                    options.policy.extra_allowed_globals);
  if (!allowlist) {
    result.errors.push_back(allowlist.error().reason);
    return result;
  }
  ScanContext ctx(options.limits, options.policy, *allowlist);
  ctx.identify_files_by_content(options.hash_contents, options.cache,
                                options.cache ? ruleset_sha256(options) : std::string());
  ctx.also_sha512(options.hash_sha512);

  // A path that does not exist is a tool error, reported after the paths that do exist have been
  // scanned and reported. Reports are created first so that jobs can fill them in place.
  std::vector<const fs::path*> scanned;
  std::vector<WalkResult> walks;  // one per directory, in order
  for (const auto& p : paths) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec) {
      result.errors.push_back(p.string() + ": " + ec.message());
      continue;
    }
    ArtifactReport r;
    r.origin = p.string();
    if (fs::is_directory(st)) {
      r.format = "directory";
      walks.push_back(walk_directory(p, r.origin, options.limits.max_directory_depth));
    }
    scanned.push_back(&p);
    result.artifacts.push_back(std::move(r));
  }

  std::vector<FileJob> jobs;
  std::size_t walk_index = 0;
  for (std::size_t i = 0; i < result.artifacts.size(); ++i) {
    ArtifactReport& r = result.artifacts[i];
    if (r.format != "directory") {
      jobs.push_back({{*scanned[i], {}, {}, {}}, r.origin, &r});
      continue;
    }
    WalkResult& w = walks[walk_index++];
    r.findings = w.findings;
    r.children.resize(w.files.size());
    for (std::size_t k = 0; k < w.files.size(); ++k)
      jobs.push_back({{w.files[k].path, w.files[k].base, w.files[k].beneath,
                       fs::path(w.files[k].relative).filename().string()},
                      r.origin + "/" + w.files[k].relative, &r.children[k]});
  }
  const unsigned threads = job_threads(options.threads, jobs.size());
  std::optional<sandbox::WorkerPool> workers;
  if (options.sandbox != SandboxMode::off) {
    workers.emplace(ctx, options.sandbox, threads, sandbox::worker_config(options.limits));
    if (workers->error()) {
      result.errors.push_back(*workers->error());
      return result;
    }
    result.sandbox = workers->layers();
  }
  run_jobs(ctx, jobs, threads, options.progress, workers ? &*workers : nullptr);
  walk_index = 0;
  for (auto& r : result.artifacts) {
    if (r.format != "directory") continue;
    WalkResult& w = walks[walk_index++];
    check_directory(w.files, w.notes, r.children, ctx);
    append_walk_notes(w.notes, r.children);
  }
  for (auto& r : result.artifacts) r.finalize();
  result.decision = decide(options.policy, result.artifacts);
  return result;
}

ArtifactReport scan_bytes(std::string_view name, const unsigned char* data, std::size_t size,
                          const ScanOptions& options) {
  auto allowlist = pickle::Allowlist::from_profiles(options.policy.profiles,
                                                    options.policy.extra_allowed_globals);
  if (!allowlist) throw std::invalid_argument(allowlist.error().reason);
  ScanContext ctx(options.limits, options.policy, *allowlist, options.hash_contents);
  ctx.also_sha512(options.hash_sha512);
  Artifact a;
  a.origin = std::string(name);
  a.name = std::string(name);
  a.bytes = ByteView(data, size);
  return ctx.scan(a);
}

}  // namespace modelgate
