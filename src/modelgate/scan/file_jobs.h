#pragma once
// The files of one scan, judged on several threads: in this process, or in confined parse workers
// (one per thread) when the options ask for a sandbox. `scan` over paths and `scan --hf-cache`
// both go through here, so that both parse the same way.
#include <memory>
#include <string>
#include <vector>

#include "modelgate/scan.h"
#include "sandbox/worker_zygote.h"
#include "scan/scan_context.h"
#include "scan/scan_file.h"

namespace modelgate {

struct FileJob {
  FileToScan file;
  std::string origin;
  ArtifactReport* out;
};

// The confined workers' zygote (sandbox/worker_zygote.h), forked as soon as the scan's context is
// set: before the walk and before the reports exist, so that the pages those fill are this
// process's own and writing them later copies nothing. Null with `--sandbox off`, and when none
// starts (run_file_jobs then starts the workers as it would without one).
std::shared_ptr<sandbox::WorkerZygote> start_worker_zygote(ScanContext& ctx, const ScanOptions& options);

// Fills every job's report, in workers forked by `zygote` when it is given. False, with the reason
// in result.errors, when the parse workers cannot be used (one did not start, or a layer is missing
// under `strict`); result.sandbox says how the files were parsed.
bool run_file_jobs(ScanContext& ctx, std::vector<FileJob>& jobs, const ScanOptions& options, ScanResult& result,
                   std::shared_ptr<sandbox::WorkerZygote> zygote = nullptr);

}  // namespace modelgate
