#pragma once
// What a confined parse worker does with each file it is given: the engine's scan of the file with
// the broker's ScanContext (inherited at fork), or a scan of the caller's own in its place.
#include <functional>

#include "artifact/artifact.h"
#include "sandbox/parse_worker.h"
#include "scan/scan_context.h"

namespace modelgate {

// Runs inside the worker in place of `ctx.scan(file)`: the report, and bytes that travel back with
// it (WorkerResult::attachment) which only the caller decodes. `convert` plans a checkpoint its scan
// passed from that scan's own reading.
using WorkerScan = std::function<sandbox::WorkerResult(ScanContext& ctx, const Artifact& file)>;

// `ctx` must outlive every worker forked with the job.
sandbox::WorkerJob scan_job(ScanContext& ctx, WorkerScan scan = {});

}  // namespace modelgate
