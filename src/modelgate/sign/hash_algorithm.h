#pragma once
// The digest algorithms OMS manifests use for files and shards.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_md_st EVP_MD;

namespace modelgate::sign {

enum class HashAlgorithm { sha256, blake2b };

// The name written into manifests ("sha256", "blake2b").
std::string_view hash_name(HashAlgorithm algorithm);
// Accepts the names the reference has written over its releases: "sha256", "blake2b", "blake2",
// with an optional "file-" prefix and "-sharded-N" / "-N" suffix (v0.2 era descriptors).
std::optional<HashAlgorithm> parse_hash_name(std::string_view name);
// N in a "<hash>-sharded-N" name, the shard size the reference writes into shard digest names.
std::optional<std::uint64_t> sharded_size(std::string_view name);
const EVP_MD* evp_md(HashAlgorithm algorithm);
std::size_t digest_size(HashAlgorithm algorithm);

}  // namespace modelgate::sign
