#include <atomic>
#include <thread>

#include "format/directory_checks.h"
#include "modelgate/scan.h"
#include "scan/progress.h"
#include "scan/scan_context.h"
#include "walk/walk.h"

namespace modelgate {

namespace fs = std::filesystem;

namespace {

struct FileJob {
  fs::path path;
  std::string origin;
  ArtifactReport* out;
};

ArtifactReport scan_file(ScanContext& ctx, const fs::path& path, const std::string& origin) {
  std::string error;
  auto mapped = MappedFile::open(path, error);
  if (!mapped) {
    ArtifactReport r;
    r.origin = origin;
    r.format = "unreadable";
    r.add(make_finding(rule("MG-IO-ERROR"), origin, std::nullopt, "cannot read: " + error));
    r.finalize();
    return r;
  }
  Artifact a;
  a.origin = origin;
  a.bytes = mapped->bytes();
  a.owner = mapped;
  a.path = path;
  a.name = path.filename().string();
  return ctx.scan(a);
}

void run_jobs(ScanContext& ctx, std::vector<FileJob>& jobs, unsigned threads, bool show_progress) {
  Progress progress(show_progress, jobs.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(jobs.size(), 1)));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < jobs.size();)
    {
      *jobs[i].out = scan_file(ctx, jobs[i].path, jobs[i].origin);
      progress.file_done(jobs[i].out->size);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
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

  // Reports are created first so that jobs can fill them in place.
  result.artifacts.reserve(paths.size());
  std::vector<std::pair<const fs::path*, WalkResult>> walks;
  for (const auto& p : paths) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      result.errors.push_back(p.string() + ": no such file or directory");
      continue;
    }
    ArtifactReport r;
    r.origin = p.string();
    if (fs::is_directory(st)) {
      r.format = "directory";
      WalkResult w = walk_directory(p, r.origin);
      r.findings = std::move(w.findings);
      r.children.resize(w.files.size());
      walks.emplace_back(&p, std::move(w));
    }
    result.artifacts.push_back(std::move(r));
  }
  if (!result.errors.empty()) return result;

  std::vector<FileJob> jobs;
  std::size_t walk_index = 0;
  for (std::size_t i = 0; i < result.artifacts.size(); ++i) {
    ArtifactReport& r = result.artifacts[i];
    if (r.format != "directory") {
      jobs.push_back({paths[i], r.origin, &r});
      continue;
    }
    WalkResult& w = walks[walk_index++].second;
    for (std::size_t k = 0; k < w.files.size(); ++k)
      jobs.push_back({w.files[k].path, r.origin + "/" + w.files[k].relative, &r.children[k]});
  }
  run_jobs(ctx, jobs, options.threads, options.progress);
  for (std::size_t i = 0, w = 0; i < result.artifacts.size(); ++i)
    if (result.artifacts[i].format == "directory")
      check_directory(walks[w++].second.files, result.artifacts[i].children, ctx);
  for (auto& r : result.artifacts) r.finalize();
  result.decision = decide(options.policy, result.artifacts);
  return result;
}

ArtifactReport scan_bytes(std::string_view name, const unsigned char* data, std::size_t size,
                          const ScanOptions& options) {
  auto allowlist = pickle::Allowlist::from_profiles(options.policy.profiles,
                                                    options.policy.extra_allowed_globals);
  if (!allowlist) throw std::invalid_argument(allowlist.error().reason);
  ScanContext ctx(options.limits, options.policy, *allowlist);
  Artifact a;
  a.origin = std::string(name);
  a.name = std::string(name);
  a.bytes = ByteView(data, size);
  return ctx.scan(a);
}

}  // namespace modelgate
