#pragma once
// A manifest pairs every file (or shard of a file) of a model with its digest, in the canonical order
// of the reference implementation: path components compared one by one, then shard offsets numerically.
#include <cstdint>
#include <string>
#include <vector>

#include "sign/encoding.h"
#include "sign/hash_algorithm.h"

namespace modelgate::sign {

enum class SerializationMethod { files, shards };

struct Serialization {
  SerializationMethod method = SerializationMethod::files;
  HashAlgorithm hash = HashAlgorithm::sha256;
  std::uint64_t shard_size = 1'000'000'000;  // the reference's default
  bool allow_symlinks = false;
  std::vector<std::string> ignore_paths;  // model-relative POSIX paths, recorded in the predicate
};

struct ManifestItem {
  std::string path;  // model-relative POSIX path ("." for a single-file model)
  bool shard = false;
  std::uint64_t start = 0, end = 0;  // [start, end) for shards
  HashAlgorithm algorithm = HashAlgorithm::sha256;
  Bytes digest;
  // The resource name: the path, or "path:start:end" for a shard.
  std::string name() const;
};

// Canonical order (Python's PurePosixPath ordering, then start, then end).
bool canonical_less(const ManifestItem& a, const ManifestItem& b);

struct Manifest {
  std::string model_name;
  Serialization serialization;
  std::vector<ManifestItem> items;

  void sort();
  // SHA-256 over the concatenated raw digests in item order: the in-toto subject digest.
  Bytes root_digest() const;
};

}  // namespace modelgate::sign
