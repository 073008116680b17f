#include "format/directory_checks.h"

namespace modelgate {

void check_directory(const std::vector<WalkEntry>& files, std::vector<ArtifactReport>& reports,
                     ScanContext& ctx) {
  check_safetensors_indexes(files, reports, ctx);
}

}  // namespace modelgate
