#pragma once
// RFC 6962 Merkle tree hashing and inclusion-proof verification (the algorithm of RFC 9162 §2.1.3.2).
#include <cstdint>
#include <span>
#include <vector>

#include "sign/encoding.h"
#include "sign/result.h"

namespace modelgate::sign {

Bytes merkle_leaf_hash(std::span<const std::uint8_t> leaf);            // SHA-256(0x00 || leaf)
Bytes merkle_node_hash(std::span<const std::uint8_t> left, std::span<const std::uint8_t> right);  // SHA-256(0x01 || l || r)

Check verify_inclusion(const Bytes& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                       const std::vector<Bytes>& proof, const Bytes& root_hash);

}  // namespace modelgate::sign
