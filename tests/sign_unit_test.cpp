// Unit tests of the signing building blocks: codecs, hash names, lenient statement parsing, RFC 6962
// inclusion proofs, RFC 3339 times, limits.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sign/bundle.h"
#include "sign/dsse.h"
#include "sign/merkle.h"
#include "sign/openssl_util.h"
#include "sign/statement.h"
#include "sign/trusted_root.h"

namespace sign_unit_test {

namespace {

using namespace modelgate::sign;
using nlohmann::json;

TEST(SignUnit, Base64AndHex) {
  EXPECT_EQ(base64_encode(as_bytes("hello")), "aGVsbG8=");
  EXPECT_EQ(to_string(*base64_decode("aGVsbG8=")), "hello");
  EXPECT_EQ(to_string(*base64_decode("aGVsbG8")), "hello");  // unpadded
  EXPECT_EQ(to_string(*base64_decode("_-8")), to_string(*base64_decode("/+8")));  // URL-safe
  EXPECT_FALSE(base64_decode("aGV sbG8=").has_value());
  EXPECT_FALSE(base64_decode("a").has_value());
  EXPECT_EQ(hex_encode(*hex_decode("00ffA0")), "00ffa0");
  EXPECT_FALSE(hex_decode("abc").has_value());
  EXPECT_FALSE(hex_decode("zz").has_value());
}

TEST(SignUnit, HashNamesOfEveryRelease) {
  EXPECT_EQ(parse_hash_name("sha256"), HashAlgorithm::sha256);
  EXPECT_EQ(parse_hash_name("file-sha256"), HashAlgorithm::sha256);
  EXPECT_EQ(parse_hash_name("sha256-sharded-1000000"), HashAlgorithm::sha256);
  EXPECT_EQ(parse_hash_name("file-sha256-1000000"), HashAlgorithm::sha256);
  EXPECT_EQ(parse_hash_name("blake2b"), HashAlgorithm::blake2b);
  EXPECT_EQ(parse_hash_name("blake2"), HashAlgorithm::blake2b);
  EXPECT_FALSE(parse_hash_name("md5").has_value());
  EXPECT_FALSE(parse_hash_name("sha256-sharded-x").has_value());
}

TEST(SignUnit, PaeEncodings) {
  EXPECT_EQ(dsse_pae("t", "ab"), "DSSEv1 1 t 2 ab");
  EXPECT_EQ(dsse_pae_v02("t", "a\n\"b'\\"), "DSSEV1 1 t 6 b'a\\n\"b\\'\\\\'");
  EXPECT_EQ(dsse_pae_v02("t", "it's"), "DSSEV1 1 t 4 b\"it's\"");
}

std::string statement_with(const json& predicate_patch, const std::string& root_hex) {
  json resource = {{"name", "w.bin:0:10"}, {"algorithm", "sha256-sharded-10"}, {"digest", std::string(64, 'a')}};
  json s = {{"_type", "https://in-toto.io/Statement/v1"},
            {"subject", json::array({{{"name", "m"}, {"digest", {{"sha256", root_hex}}}}})},
            {"predicateType", "https://model_signing/signature/v1.0"},
            {"predicate",
             {{"serialization", {{"method", "shards"}, {"hash_type", "sha256"}, {"shard_size", 10.0}, {"allow_symlinks", false}}},
              {"resources", json::array({resource})}}}};
  s["predicate"].merge_patch(predicate_patch);
  return s.dump();
}

TEST(SignUnit, StatementParsingIsLenientInFormAndStrictInContent) {
  Bytes digest(32, 0xaa);
  std::string root = hex_encode(sha256(digest));
  auto ok = parse_statement(statement_with(json::object(), root));
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->manifest.serialization.shard_size, 10u);
  EXPECT_EQ(ok->manifest.items.at(0).end, 10u);

  auto bad_root = parse_statement(statement_with(json::object(), std::string(64, '0')));
  ASSERT_FALSE(bad_root.ok());
  EXPECT_EQ(bad_root.error().origin, "manifest consistency");

  auto fractional = parse_statement(statement_with({{"serialization", {{"shard_size", 10.5}}}}, root));
  EXPECT_FALSE(fractional.ok());
  auto escaping = parse_statement(statement_with(
      {{"resources", json::array({{{"name", "../x:0:10"}, {"algorithm", "sha256"}, {"digest", std::string(64, 'a')}}})}}, root));
  EXPECT_FALSE(escaping.ok());
  auto bad_shard = parse_statement(statement_with(
      {{"resources", json::array({{{"name", "w:10:0"}, {"algorithm", "sha256"}, {"digest", std::string(64, 'a')}}})}}, root));
  EXPECT_FALSE(bad_shard.ok());
  EXPECT_FALSE(parse_statement("{").ok());
  EXPECT_FALSE(parse_statement("[]").ok());

  // Both shard algorithm names: the reference's "sha256-sharded-N" (N the shard size) and the
  // specification's "sha256"; a name for another shard size is refused.
  auto plain = parse_statement(statement_with(
      {{"resources", json::array({{{"name", "w.bin:0:10"}, {"algorithm", "sha256"}, {"digest", std::string(64, 'a')}}})}}, root));
  EXPECT_TRUE(plain.ok());
  auto other_size = parse_statement(statement_with(
      {{"resources", json::array({{{"name", "w.bin:0:10"}, {"algorithm", "sha256-sharded-11"}, {"digest", std::string(64, 'a')}}})}},
      root));
  EXPECT_FALSE(other_size.ok());
  // The offsets are the last two fields: a name may hold ':' itself.
  auto colon = parse_statement(statement_with(
      {{"resources", json::array({{{"name", "a:b:0:10"}, {"algorithm", "sha256"}, {"digest", std::string(64, 'a')}}})}}, root));
  ASSERT_TRUE(colon.ok()) << colon.error().message();
  EXPECT_EQ(colon->manifest.items.at(0).path, "a:b");
  EXPECT_EQ(colon->manifest.items.at(0).name(), "a:b:0:10");
  for (const char* bad : {":0:10", "w:0", "w::10", "w:0:10x"})
    EXPECT_FALSE(parse_statement(statement_with(
                     {{"resources", json::array({{{"name", bad}, {"algorithm", "sha256"}, {"digest", std::string(64, 'a')}}})}},
                     root))
                     .ok())
        << bad;
  // A signature over nothing verifies nothing.
  auto none = parse_statement(statement_with({{"resources", json::array()}}, hex_encode(sha256({}))));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().reason.find("no resources"), std::string::npos);
}

// RFC 6962 reference tree hash and audit path, recursively, to check the iterative verifier.
Bytes mth(const std::vector<Bytes>& leaves, std::size_t lo, std::size_t hi) {
  if (hi - lo == 1) return merkle_leaf_hash(leaves[lo]);
  std::size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return merkle_node_hash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}
void path(const std::vector<Bytes>& leaves, std::size_t m, std::size_t lo, std::size_t hi, std::vector<Bytes>& out) {
  if (hi - lo == 1) return;
  std::size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  if (m < k) {
    path(leaves, m, lo, lo + k, out);
    out.push_back(mth(leaves, lo + k, hi));
  } else {
    path(leaves, m - k, lo + k, hi, out);
    out.push_back(mth(leaves, lo, lo + k));
  }
}

TEST(SignUnit, MerkleInclusionProofs) {
  for (std::size_t n = 1; n <= 20; ++n) {
    std::vector<Bytes> leaves;
    for (std::size_t i = 0; i < n; ++i) leaves.push_back(Bytes(3, static_cast<std::uint8_t>(i)));
    Bytes root = mth(leaves, 0, n);
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<Bytes> proof;
      path(leaves, i, 0, n, proof);
      EXPECT_TRUE(verify_inclusion(merkle_leaf_hash(leaves[i]), i, n, proof, root).ok()) << n << " " << i;
      if (n > 1) {
        EXPECT_FALSE(verify_inclusion(merkle_leaf_hash(leaves[(i + 1) % n]), i, n, proof, root).ok());
        auto shorter = proof;
        shorter.pop_back();
        EXPECT_FALSE(verify_inclusion(merkle_leaf_hash(leaves[i]), i, n, shorter, root).ok());
      }
      EXPECT_FALSE(verify_inclusion(merkle_leaf_hash(leaves[i]), n, n, proof, root).ok());
    }
  }
}

TEST(SignUnit, Rfc3339) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2021-01-12T11:53:27Z"), 1610452407);
  EXPECT_EQ(parse_rfc3339("2022-12-31T23:59:59.999Z"), 1672531199);
  EXPECT_EQ(parse_rfc3339("2021-01-12T12:53:27+01:00"), 1610452407);
  EXPECT_FALSE(parse_rfc3339("2021-01-12 11:53:27").has_value());
  EXPECT_FALSE(parse_rfc3339("2021-13-12T11:53:27Z").has_value());
}

TEST(SignUnit, BundleLimits) {
  std::string huge(kMaxBundleBytes + 1, ' ');
  auto r = parse_bundle(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().reason.find("size limit"), std::string::npos);
  json b = {{"mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json"},
            {"verificationMaterial", {{"publicKey", {{"hint", "x"}}}, {"tlogEntries", json::array()}}},
            {"dsseEnvelope", {{"payload", "e30="}, {"payloadType", "application/vnd.in-toto+json"},
                              {"signatures", json::array({{{"sig", "AAAA"}}, {{"sig", "AAAA"}}})}}}};
  auto two = parse_bundle(b.dump());
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().reason.find("exactly one"), std::string::npos);
  b["dsseEnvelope"]["signatures"].erase(1);
  for (int i = 0; i < 17; ++i) b["verificationMaterial"]["tlogEntries"].push_back(json::object());
  EXPECT_FALSE(parse_bundle(b.dump()).ok());
  b["verificationMaterial"]["tlogEntries"] = json::array();
  b["mediaType"] = "application/json";
  EXPECT_FALSE(parse_bundle(b.dump()).ok());
}

}  // namespace

}  // namespace sign_unit_test
