#include "format/directory_checks.h"
#include "format/onnx_external_data.h"
#include "scan/confined_index_check.h"
#include "modelgate/scan.h"
#include "scan/file_jobs.h"
#include "scan/scan_context.h"
#include "scan/walk_notes.h"
#include "walk/hf_cache.h"
#include "walk/walk.h"

namespace modelgate {

namespace fs = std::filesystem;

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
  auto zygote = start_worker_zygote(ctx, options);

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
      // A hub snapshot's files link into its repository's blobs/: that is where they live.
      walks.push_back(walk_directory(p, r.origin, options.limits.max_directory_depth,
                                     hf_snapshot_repository(p).value_or(fs::path())));
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
    // The name is the path relative to the scanned directory: loaders pick some files by a
    // directory component too (additional_chat_templates/*.jinja), so name readings see it.
    for (std::size_t k = 0; k < w.files.size(); ++k)
      jobs.push_back({{w.files[k].path, w.files[k].base, w.files[k].beneath, w.files[k].relative},
                      r.origin + "/" + w.files[k].relative, &r.children[k]});
  }
  if (!run_file_jobs(ctx, jobs, options, result, std::move(zygote))) return result;
  walk_index = 0;
  for (auto& r : result.artifacts) {
    if (r.format != "directory") continue;
    WalkResult& w = walks[walk_index++];
    check_directory(w.files, w.notes, r.children, ctx,
                    options.sandbox == SandboxMode::off ? IndexCheckRunner{} : confined_index_check());
    append_walk_notes(w.notes, r.children);
  }
  for (auto& r : result.artifacts) r.finalize();
  result.decision = decide(options.policy, result.artifacts);
  return result;
}

ValueOr<ArtifactReport, Error> scan_bytes(std::string_view name, const unsigned char* data, std::size_t size,
                                          const ScanOptions& options) {
  auto allowlist = pickle::Allowlist::from_profiles(options.policy.profiles,
                                                    options.policy.extra_allowed_globals);
  if (!allowlist) return allowlist.error();
  ScanContext ctx(options.limits, options.policy, *allowlist, options.hash_contents);
  ctx.also_sha512(options.hash_sha512);
  Artifact a;
  a.origin = std::string(name);
  a.name = std::string(name);
  a.bytes = ByteView(data, size);
  ArtifactReport report = ctx.scan(a);
  resolve_external_data_reads(report, {});  // bytes, not a file: nothing to resolve against
  return report;
}

}  // namespace modelgate
