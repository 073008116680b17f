#include "format/directory_checks.h"

#include "core/regular_file.h"

namespace modelgate {

void check_directory(const std::vector<WalkEntry>& files, const std::vector<WalkNote>& notes,
                     std::vector<ArtifactReport>& reports, NestedScan& ctx, const IndexCheckRunner& run_index_check) {
  classify_referenced_data_files(files, reports);
  check_safetensors_indexes(files, notes, reports, ctx, run_index_check);
  annotate_code_routes(files, reports);
}

std::shared_ptr<MappedFile> map_walk_entry(const WalkEntry& entry, std::string& error) {
  auto opened = entry.beneath.empty() ? open_regular_file(entry.path, FinalLink::refuse)
                                      : open_regular_file_beneath(entry.base, entry.beneath);
  if (!opened) {
    error = opened.error().message();
    return nullptr;
  }
  auto mapped = MappedFile::map(opened->fd.get(), static_cast<std::size_t>(opened->st.st_size));
  if (!mapped) {
    error = entry.relative + ": " + mapped.error().message();
    return nullptr;
  }
  return *mapped;
}

}  // namespace modelgate
