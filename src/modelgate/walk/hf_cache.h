#pragma once
// The Hugging Face hub cache: <root>/{models,datasets,spaces}--<org>--<name>/snapshots/<revision>/
// files that are symbolic links into ../../blobs/<hash>. Each blob is scanned once; every
// snapshot file is reported under its repository and revision.
#include <filesystem>
#include <string>
#include <vector>

#include "modelgate/finding.h"

namespace modelgate {

struct HfFile {
  std::string relative;        // path inside the snapshot
  std::filesystem::path blob;  // resolved target, inside the cache root
};

struct HfSnapshot {
  std::string repo;      // "model:org/name", "dataset:org/name", "space:org/name"
  std::string revision;  // snapshot directory name (commit hash)
  std::vector<std::string> refs;  // refs/<name> files pointing at this revision
  std::vector<HfFile> files;
  std::vector<Finding> findings;
};

struct HfCache {
  std::vector<HfSnapshot> snapshots;
  std::vector<Finding> findings;
};

// $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
std::filesystem::path default_hf_cache();

HfCache list_hf_cache(const std::filesystem::path& root);

}  // namespace modelgate
