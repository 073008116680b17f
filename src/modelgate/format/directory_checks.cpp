#include "format/directory_checks.h"

#include "core/regular_file.h"

namespace modelgate {

void check_directory(const std::vector<WalkEntry>& files, const std::vector<WalkNote>& notes,
                     std::vector<ArtifactReport>& reports, NestedScan& ctx, const IndexCheckRunner& run_index_check) {
  classify_referenced_data_files(files, reports);
  check_safetensors_indexes(files, notes, reports, ctx, run_index_check);
  annotate_code_routes(files, reports);
}

Expected<std::shared_ptr<MappedFile>> map_walk_entry(const WalkEntry& entry) {
  auto opened = entry.beneath.empty() ? open_regular_file(entry.path, FinalLink::refuse)
                                      : open_regular_file_beneath(entry.base, entry.beneath);
  if (!opened) return opened.error();
  auto mapped = MappedFile::map(opened->fd.get(), static_cast<std::size_t>(opened->st.st_size));
  if (!mapped) {
    Error error = mapped.error();
    error.origin = entry.relative;
    return error;
  }
  return mapped;
}

}  // namespace modelgate
