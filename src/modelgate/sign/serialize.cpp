#include "sign/serialize.h"

#include "core/utf8.h"
#include "sign/model_walk.h"

namespace modelgate::sign {

namespace fs = std::filesystem;

std::string model_name_of(const fs::path& model) {
  fs::path p = model;
  if (!p.empty() && !p.has_filename()) p = p.parent_path();  // "dir/" -> "dir"
  std::string name = p.filename().string();
  if (name.empty() || name == ".." || name == ".") {
    std::error_code ec;
    name = fs::weakly_canonical(fs::absolute(model), ec).filename().string();
  }
  return name;
}

Expected<Manifest> serialize_model(const fs::path& model, const SerializeOptions& options) {
  WalkOptions walk;
  walk.allow_symlinks = options.serialization.allow_symlinks;
  walk.ignore_paths = options.ignore_paths;
  auto files = list_model_files(model, walk);
  if (!files) return files.error();

  Manifest manifest;
  manifest.model_name = model_name_of(model);
  manifest.serialization = options.serialization;
  const auto& ser = options.serialization;
  if (ser.method == SerializationMethod::shards && ser.shard_size == 0)
    return usage_failure("serialization", "shard size must be positive");

  std::vector<HashRange> ranges;
  for (const auto& f : *files) {
    if (options.select && !options.select(f.relative)) continue;
    if (!is_utf8(f.relative))
      return usage_failure("model files", "'" + f.relative + "' is not a valid UTF-8 name; OMS resource names must "
                                          "be UTF-8 (specification section 6.1.2), so the file cannot be signed");
    if (ser.method == SerializationMethod::files) {
      ranges.push_back({f.path, 0, f.size, f.st, ser.allow_symlinks});
      manifest.items.push_back({f.relative, false, 0, f.size, ser.hash, {}});
      continue;
    }
    // Shard boundaries at multiples of the shard size. An empty file has no shard at all (specification
    // section 6.3.2, and the reference), so under this method empty files are not covered.
    for (std::uint64_t start = 0; start < f.size;) {
      std::uint64_t end = f.size - start > ser.shard_size ? start + ser.shard_size : f.size;
      ranges.push_back({f.path, start, end, f.st, ser.allow_symlinks});
      manifest.items.push_back({f.relative, true, start, end, ser.hash, {}});
      start = end;
    }
  }
  auto digests = hash_ranges(ranges, ser.hash, options.hashing);
  if (!digests) return digests.error();
  for (std::size_t i = 0; i < manifest.items.size(); ++i) manifest.items[i].digest = std::move((*digests)[i]);
  manifest.sort();
  return manifest;
}

}  // namespace modelgate::sign
