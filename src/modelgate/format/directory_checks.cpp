#include "format/directory_checks.h"

namespace modelgate {

void check_directory(const std::vector<WalkEntry>& files, std::vector<ArtifactReport>& reports,
                     ScanContext& ctx) {
  classify_referenced_data_files(files, reports);
  check_safetensors_indexes(files, reports, ctx);
  annotate_code_routes(files, reports);
}

}  // namespace modelgate
