#pragma once
// Checks that span several files of one directory, such as a sharded checkpoint's index against
// its shards. Run once per scanned directory, after every file in it has its report.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "modelgate/report.h"
#include "artifact/nested_scan.h"
#include "walk/walk.h"

namespace modelgate {

// Maps a file of the walk the way its scan opened it: beneath the walk's base, no symbolic link
// followed on the way, without blocking, regular files only. An error otherwise (its origin: the
// path that cannot be opened, or the entry that cannot be read).
Expected<std::shared_ptr<MappedFile>> map_walk_entry(const WalkEntry& entry);

// How a check reaches the bytes of a file of the walk (map_walk_entry, or mappings made before a
// confined worker was forked).
using EntryMapper = std::function<Expected<std::shared_ptr<const ByteSource>>(const WalkEntry& entry)>;

// The sharded-safetensors check of the index `files[index]` (safetensors_index.cpp): adds its
// findings and facts to `report`.
void check_safetensors_index(std::size_t index, const std::vector<WalkEntry>& files, const std::vector<WalkNote>& notes,
                             ArtifactReport& report, NestedScan& ctx, const EntryMapper& map);

// Runs the check of one index: in this process, or in a confined worker (scan/confined_index_check.h).
using IndexCheckRunner = std::function<void(std::size_t index, const std::vector<WalkEntry>& files,
                                            const std::vector<WalkNote>& notes, ArtifactReport& report, NestedScan& ctx)>;

// Every index of the directory; `run` empty: in this process.
void check_safetensors_indexes(const std::vector<WalkEntry>& files, const std::vector<WalkNote>& notes,
                               std::vector<ArtifactReport>& reports, NestedScan& ctx, const IndexCheckRunner& run = {});

// `reports[i]` is the finalized report of `files[i]`; checks add findings to them and
// re-finalize the ones they touch. `notes` are the walk's entries that are not regular files (or
// could not be read), so that a check can say why a file it needs is not among `files`.
void check_directory(const std::vector<WalkEntry>& files, const std::vector<WalkNote>& notes,
                     std::vector<ArtifactReport>& reports, NestedScan& ctx, const IndexCheckRunner& run_index_check = {});

// ONNX external-data files and SavedModel variables, named by a model in the same directory, are
// that model's data rather than unrecognised files (referenced_data_files.cpp).
void classify_referenced_data_files(const std::vector<WalkEntry>& files, std::vector<ArtifactReport>& reports);

// Python files a library imports (named by a configuration, found by a fixed name, or imported
// relatively by such a file) get an MG-HF-CODE-ROUTE finding naming the route (code_routes.cpp).
void annotate_code_routes(const std::vector<WalkEntry>& files, std::vector<ArtifactReport>& reports);

}  // namespace modelgate
