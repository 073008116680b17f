#pragma once
// Builds the manifest of a model on disk: list the files, cut them into shards when asked, hash
// everything in parallel.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sign/manifest.h"
#include "sign/parallel_hasher.h"
#include "sign/result.h"

namespace modelgate::sign {

struct SerializeOptions {
  Serialization serialization;             // method, hash, shard size, symlinks, recorded ignore paths
  std::vector<std::string> ignore_paths;   // effective model-relative ignore list (a superset of the above)
  HashOptions hashing;
  // When set, only files it accepts are hashed (verification with --ignore-unsigned-files).
  std::function<bool(const std::string& relative)> select;
};

// The model name the reference records: the final path component (of the resolved path when empty or
// "..").
std::string model_name_of(const std::filesystem::path& model);


Expected<Manifest> serialize_model(const std::filesystem::path& model, const SerializeOptions& options);

}  // namespace modelgate::sign
