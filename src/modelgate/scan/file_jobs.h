#pragma once
// The files of one scan, judged on several threads: in this process, or in confined parse workers
// (one per thread) when the options ask for a sandbox. `scan` over paths and `scan --hf-cache`
// both go through here, so that both parse the same way.
#include <string>
#include <vector>

#include "modelgate/scan.h"
#include "scan/scan_context.h"
#include "scan/scan_file.h"

namespace modelgate {

struct FileJob {
  FileToScan file;
  std::string origin;
  ArtifactReport* out;
};

// Fills every job's report. False, with the reason in result.errors, when the parse workers
// cannot be used (one did not start, or a layer is missing under `strict`); result.sandbox says
// how the files were parsed.
bool run_file_jobs(ScanContext& ctx, std::vector<FileJob>& jobs, const ScanOptions& options, ScanResult& result);

}  // namespace modelgate
