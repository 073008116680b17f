#pragma once
// The sharded-checkpoint check of an index file in a confined parse worker (docs/sandbox.md): this
// process maps the index and every file beside it the way the walk found them, forks a worker
// that inherits those read-only mappings, and the worker parses the index and the shards' headers
// and returns the findings and facts as a worker result, decoded here as untrusted input.
#include "format/directory_checks.h"

namespace modelgate {

// A worker that cannot start or fails adds its MG-SANDBOX-* finding to the index's report.
IndexCheckRunner confined_index_check();

}  // namespace modelgate
