// `modelgate scan --hf-cache`: every repository revision of the hub cache, each blob scanned once
// per file name it has (names select loader readings), each snapshot checked as a directory.
#include <atomic>
#include <map>
#include <thread>

#include "format/directory_checks.h"
#include "hf/loader_routes.h"
#include "modelgate/scan.h"
#include "scan/progress.h"
#include "scan/scan_context.h"
#include "walk/hf_cache.h"

namespace modelgate {

namespace fs = std::filesystem;

ScanResult scan_hf_cache(const fs::path& cache_dir, const ScanOptions& options) {
  ScanResult result;
  auto allowlist = pickle::Allowlist::from_profiles(options.policy.profiles,
                                                    options.policy.extra_allowed_globals);
  if (!allowlist) {
    result.errors.push_back(allowlist.error().reason);
    return result;
  }
  std::error_code ec;
  if (!fs::is_directory(cache_dir, ec)) {
    result.errors.push_back(cache_dir.string() + ": no Hugging Face cache directory here");
    return result;
  }
  ScanContext ctx(options.limits, options.policy, *allowlist);
  HfCache cache = list_hf_cache(cache_dir);

  // One job per distinct blob and file name: loaders also read files by name (a blob that is
  // `modeling.py` in one snapshot and `notes.txt` in another is read both ways).
  auto key = [](const HfFile& f) {
    return f.blob.string() + '\0' + std::string(base_name(f.relative));
  };
  std::map<std::string, std::size_t> blob_index;
  std::vector<fs::path> blobs;
  std::vector<std::string> first_origin;  // the blob is reported under its first snapshot path
  std::vector<std::string> names;
  for (const auto& s : cache.snapshots)
    for (const auto& f : s.files)
      if (blob_index.emplace(key(f), blobs.size()).second) {
        blobs.push_back(f.blob);
        first_origin.push_back("hf://" + s.repo + "@" + s.revision + "/" + f.relative);
        names.push_back(f.relative);
      }
  std::vector<ArtifactReport> blob_reports(blobs.size());
  {
    Progress progress(options.progress, blobs.size());
    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t i; (i = next.fetch_add(1)) < blobs.size();) {
        std::string error;
        auto mapped = MappedFile::open(blobs[i], error);
        ArtifactReport& r = blob_reports[i];
        if (!mapped) {
          r.origin = blobs[i].string();
          r.format = "unreadable";
          r.add(make_finding(rule("MG-IO-ERROR"), r.origin, std::nullopt, "cannot read: " + error));
          r.finalize();
        } else {
          Artifact a;
          a.origin = first_origin[i];
          a.bytes = mapped->bytes();
          a.owner = mapped;
          a.path = blobs[i];
          a.name = names[i];
          r = ctx.scan(a);
        }
        progress.file_done(mapped ? mapped->bytes().size() : 0);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::min<std::size_t>(threads, std::max<std::size_t>(blobs.size(), 1)); ++t)
      pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  }

  ArtifactReport root;
  root.origin = cache_dir.string();
  root.format = "hf-cache";
  root.findings = std::move(cache.findings);
  std::vector<bool> reported(blobs.size(), false);
  for (auto& s : cache.snapshots) {
    ArtifactReport snap;
    snap.origin = "hf://" + s.repo + "@" + s.revision;
    snap.format = "hf-snapshot";
    snap.facts["repository"] = s.repo;
    snap.facts["revision"] = s.revision;
    snap.facts["refs"] = s.refs;
    snap.findings = std::move(s.findings);
    std::vector<WalkEntry> entries;
    for (const auto& f : s.files) {
      std::size_t i = blob_index[key(f)];
      entries.push_back({f.blob, f.relative});
      ArtifactReport file = blob_reports[i];
      file.origin = snap.origin + "/" + f.relative;
      file.facts["blob"] = f.blob.filename().string();
      if (reported[i]) {
        // Already reported in full under another name or revision: keep the verdict, not the copy.
        file.facts["same_blob_as_earlier_entry"] = true;
        file.children.clear();
      }
      reported[i] = true;
      snap.children.push_back(std::move(file));
    }
    check_directory(entries, snap.children, ctx);
    root.children.push_back(std::move(snap));
  }
  root.facts["repositories_revisions"] = root.children.size();
  root.facts["blobs"] = blobs.size();
  root.finalize();
  result.artifacts.push_back(std::move(root));
  result.decision = decide(options.policy, result.artifacts);
  return result;
}

}  // namespace modelgate
