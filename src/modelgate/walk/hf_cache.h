#pragma once
// The Hugging Face hub cache: <root>/{models,datasets,spaces}--<org>--<name>/snapshots/<revision>/
// files that are symbolic links into ../../blobs/<hash>. Each blob is scanned once; every
// snapshot file is reported under its repository and revision. Nothing else in the cache is
// skipped: stray files and blobs no snapshot links to are scanned and reported as strays, and
// entries that cannot be read are walk notes (refused).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "modelgate/finding.h"
#include "walk/walk.h"

namespace modelgate {

struct HfFile {
  std::string relative;        // path inside the snapshot (or, for a stray, inside the cache)
  std::filesystem::path path;  // the file to scan: the resolved blob for a link
  std::string beneath;         // `path` relative to the cache root, opened without following links
  bool linked = false;         // a symbolic link (into blobs/), as the hub client writes
};

struct HfSnapshot {
  std::string repo;      // "model:org/name", "dataset:org/name", "space:org/name"
  std::string revision;  // snapshot directory name (commit hash)
  std::vector<std::string> refs;  // refs/<name> files pointing at this revision
  std::vector<HfFile> files;
  std::vector<WalkNote> notes;    // origins already in hf://repo@revision/ form
};

struct HfCache {
  std::filesystem::path root;     // canonical
  std::vector<HfSnapshot> snapshots;
  std::vector<HfFile> strays;     // `relative` to the cache root; `why` says what is stray
  std::vector<std::string> stray_reasons;
  std::vector<WalkNote> notes;    // entries outside snapshots that could not be read
};

// The cache, or why `root` is not a hub cache (not a directory, or no repository directory in it):
// a usage error for the caller.
struct HfCacheListing {
  std::optional<HfCache> cache;
  std::string not_a_cache;
};
HfCacheListing list_hf_cache(const std::filesystem::path& root, std::uint32_t max_depth);

// The repository directory of the cache (<root>/models--org--name) when `dir` is one of its
// snapshots (what snapshot_download() returns), whose files are links into that repository's
// blobs/; nullopt for any other directory.
std::optional<std::filesystem::path> hf_snapshot_repository(const std::filesystem::path& dir);

}  // namespace modelgate
