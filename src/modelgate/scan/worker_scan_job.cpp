#include "scan/worker_scan_job.h"

#include <utility>

namespace modelgate {

sandbox::WorkerJob scan_job(ScanContext& ctx, WorkerScan scan) {
  return [&ctx, scan = std::move(scan)](const std::shared_ptr<const ByteSource>& file, const std::string& origin,
                                        const std::string& name) {
    Artifact a;
    a.origin = origin;
    a.name = name;
    a.owner = file;
    a.bytes = file->bytes();
    if (!scan) return sandbox::encode_result(ctx.scan(a));
    sandbox::WorkerResult r = scan(ctx, a);
    return sandbox::encode_result(r.report, r.attachment);
  };
}

}  // namespace modelgate
