// `modelgate scan --hf-cache`: every repository revision of the hub cache, each blob scanned once
// per path it has in a snapshot (names select loader readings), each snapshot checked as a directory, and
// everything else in the cache scanned or reported too.
#include <map>

#include "format/directory_checks.h"
#include "scan/confined_index_check.h"
#include "core/rule_catalog.h"
#include "modelgate/scan.h"
#include "scan/file_jobs.h"
#include "scan/scan_context.h"
#include "scan/walk_notes.h"
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
  HfCacheListing listing = list_hf_cache(cache_dir, options.limits.max_directory_depth);
  if (!listing.cache) {
    result.errors.push_back(listing.not_a_cache);
    return result;
  }
  HfCache& cache = *listing.cache;
  ScanContext ctx(options.limits, options.policy, *allowlist);
  ctx.identify_files_by_content(options.hash_contents, options.cache,
                                options.cache ? ruleset_sha256(options) : std::string());
  ctx.also_sha512(options.hash_sha512);
  auto zygote = start_worker_zygote(ctx, options);

  // One job per distinct file on disk and path in its snapshot: loaders also read files by name,
  // some by a directory component too (a blob that is `modeling.py` in one snapshot and
  // `notes.txt` in another is read both ways; `additional_chat_templates/x.jinja` is a template).
  auto key = [](const HfFile& f) { return f.path.string() + '\0' + f.relative; };
  std::map<std::string, std::size_t> file_index;
  std::vector<const HfFile*> files;
  std::vector<std::string> first_origin;  // a blob is analysed under its first snapshot path
  auto add = [&](const HfFile& f, std::string origin) {
    if (file_index.emplace(key(f), files.size()).second) {
      files.push_back(&f);
      first_origin.push_back(std::move(origin));
    }
  };
  for (const auto& s : cache.snapshots)
    for (const auto& f : s.files) add(f, "hf://" + s.repo + "@" + s.revision + "/" + f.relative);
  for (const auto& f : cache.strays) add(f, (cache.root / f.relative).string());
  std::vector<ArtifactReport> reports(files.size());
  std::vector<FileJob> jobs;
  for (std::size_t i = 0; i < files.size(); ++i)
    jobs.push_back({{files[i]->path, cache.root, files[i]->beneath, files[i]->relative},
                    first_origin[i], &reports[i]});
  if (!run_file_jobs(ctx, jobs, options, result, std::move(zygote))) return result;

  std::vector<bool> reported(files.size(), false);
  auto report_for = [&](const HfFile& f, std::string origin) {
    std::size_t i = file_index[key(f)];
    ArtifactReport file = reports[i];
    file.origin = std::move(origin);
    if (f.linked) details_of(file.details.hub_cache).blob = f.path.filename().string();
    if (reported[i]) {
      // Already reported in full under another name or revision: keep the verdict, not the copy.
      details_of(file.details.hub_cache).same_blob_as_earlier_entry = true;
      file.children.clear();
    }
    reported[i] = true;
    return file;
  };
  ArtifactReport root;
  root.origin = cache_dir.string();
  root.format = "hf-cache";
  for (auto& s : cache.snapshots) {
    ArtifactReport snap;
    snap.origin = "hf://" + s.repo + "@" + s.revision;
    snap.format = "hf-snapshot";
    HubCacheDetails& details = details_of(snap.details.hub_cache);
    details.repository = s.repo;
    details.revision = s.revision;
    details.refs = s.refs;
    snap.model.hub_repository = s.repo;
    snap.model.hub_revision = s.revision;
    snap.model.hub_refs = s.refs;
    std::vector<WalkEntry> entries;
    for (const auto& f : s.files) {
      entries.push_back({f.path, f.relative, cache.root, f.beneath, f.linked});
      ArtifactReport file = report_for(f, snap.origin + "/" + f.relative);
      if (!f.linked)
        file.add(make_finding(rule("MG-HF-CACHE-NOT-LINK"), file.origin, std::nullopt,
                              "a file, not a link into blobs/; scanned as it is"));
      file.finalize();
      snap.children.push_back(std::move(file));
    }
    check_directory(entries, s.notes, snap.children, ctx,
                    options.sandbox == SandboxMode::off ? IndexCheckRunner{} : confined_index_check());
    append_walk_notes(s.notes, snap.children);
    snap.finalize();
    root.children.push_back(std::move(snap));
  }
  details_of(root.details.hub_cache).repositories_revisions = root.children.size();
  for (std::size_t k = 0; k < cache.strays.size(); ++k) {
    const HfFile& f = cache.strays[k];
    ArtifactReport file = report_for(f, (cache.root / f.relative).string());
    file.add(make_finding(rule("MG-HF-CACHE-STRAY"), file.origin, std::nullopt,
                          "stray file in the cache: " + cache.stray_reasons[k]));
    file.finalize();
    root.children.push_back(std::move(file));
  }
  append_walk_notes(cache.notes, root.children);
  details_of(root.details.hub_cache).blobs = files.size() - cache.strays.size();
  root.finalize();
  result.artifacts.push_back(std::move(root));
  result.decision = decide(options.policy, result.artifacts);
  return result;
}

}  // namespace modelgate
