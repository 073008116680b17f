#include "sign/merkle.h"

#include "sign/openssl_util.h"

namespace modelgate::sign {

Bytes merkle_leaf_hash(std::span<const std::uint8_t> leaf) {
  Bytes buf;
  buf.reserve(leaf.size() + 1);
  buf.push_back(0x00);
  buf.insert(buf.end(), leaf.begin(), leaf.end());
  return sha256(buf);
}

Bytes merkle_node_hash(std::span<const std::uint8_t> left, std::span<const std::uint8_t> right) {
  Bytes buf;
  buf.reserve(left.size() + right.size() + 1);
  buf.push_back(0x01);
  buf.insert(buf.end(), left.begin(), left.end());
  buf.insert(buf.end(), right.begin(), right.end());
  return sha256(buf);
}

Check verify_inclusion(const Bytes& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                       const std::vector<Bytes>& proof, const Bytes& root_hash) {
  auto fail = [](std::string d) { return verification_failure("inclusion proof", std::move(d)); };
  if (index >= tree_size) return fail("log index " + std::to_string(index) + " is not below the tree size");
  if (root_hash.size() != 32) return fail("root hash is not 32 bytes");
  std::uint64_t fn = index, sn = tree_size - 1;
  Bytes r = leaf_hash;
  for (const auto& p : proof) {
    if (p.size() != 32) return fail("a proof hash is not 32 bytes");
    if (sn == 0) return fail("the proof is longer than the tree is deep");
    if ((fn & 1) == 1 || fn == sn) {
      r = merkle_node_hash(p, r);
      if ((fn & 1) == 0)
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      r = merkle_node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return fail("the proof is shorter than the tree is deep");
  if (r != root_hash) return fail("the computed root " + hex_encode(r) + " differs from the proof's root hash");
  return Ok{};
}

}  // namespace modelgate::sign
