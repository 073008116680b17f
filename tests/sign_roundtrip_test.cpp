// Round trips: what modelgate signs verifies under modelgate, for every curve, both serializations,
// both hashes, key and certificate methods; produced bundles validate against the OMS JSON schemas.
#include <gtest/gtest.h>

#include "sign/manifest.h"
#include "sign/model_signing.h"
#include "sign_test_util.h"

namespace sign_roundtrip_test {

namespace {

namespace fs = std::filesystem;
using mgtest::run;

std::string mg() { return mgtest::modelgate_binary(); }

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// A small model with nesting, an empty file, a file larger than the test shard size and git files.
fs::path make_model(const fs::path& root) {
  fs::path m = root / "model";
  mgtest::write_file(m / "config.json", "{\"layers\": 2}\n");
  mgtest::write_file(m / "weights/part-00001.bin", std::string(1000, 'a') + "tail");
  mgtest::write_file(m / "weights/part-00002.bin", std::string(33, '\x01'));
  mgtest::write_file(m / "empty", "");
  mgtest::write_file(m / "a.b", "dot");
  mgtest::write_file(m / "a/b", "slash");
  mgtest::write_file(m / ".git/HEAD", "ref: refs/heads/main\n");
  mgtest::write_file(m / ".gitattributes", "*.bin filter=lfs\n");
  return m;
}

void expect_schema_valid(const fs::path& bundle) {
  auto r = run(mgtest::python() + " " + q(mgtest::source_dir() / "tests/fixtures/check_oms_schema.py") + " " +
               q(mgtest::source_dir() / "tests/fixtures/oms/spec/schemas/v1.0") + " " + q(bundle));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(SignRoundTrip, KeyMethodOnEveryCurve) {
  for (const char* curve : {"P-256", "P-384", "P-521"}) {
    mgtest::TempDir tmp;
    fs::path model = make_model(tmp.path());
    auto key = mgtest::generate_ec_key(curve);
    mgtest::write_file(tmp / "key.pem", mgtest::private_key_pem(key.get()));
    mgtest::write_file(tmp / "key.pub", mgtest::public_key_pem_of(key.get()));
    fs::path sig = model / "model.sig";  // inside the model: excluded automatically
    auto s = run(mg() + " sign key --private-key " + q(tmp / "key.pem") + " --signature " + q(sig) + " " + q(model));
    ASSERT_EQ(s.exit_code, 0) << curve << s.output;
    auto v = run(mg() + " verify key --public-key " + q(tmp / "key.pub") + " --signature " + q(sig) + " " + q(model));
    EXPECT_EQ(v.exit_code, 0) << curve << v.output;
    expect_schema_valid(sig);
    std::string bundle = mgtest::read_file(sig);
    EXPECT_NE(bundle.find("\"hint\""), std::string::npos);
  }
}

TEST(SignRoundTrip, ShardsAndBlake2b) {
  mgtest::TempDir tmp;
  fs::path model = make_model(tmp.path());
  auto key = mgtest::generate_ec_key("P-256");
  mgtest::write_file(tmp / "key.pem", mgtest::private_key_pem(key.get()));
  mgtest::write_file(tmp / "key.pub", mgtest::public_key_pem_of(key.get()));
  for (std::string args : {"--serialization shards --shard-size 64", "--hash-type blake2b",
                           "--serialization shards --shard-size 7 --hash-type blake2b"}) {
    fs::path sig = tmp / "out.sig";
    auto s = run(mg() + " sign key --force --private-key " + q(tmp / "key.pem") + " --signature " + q(sig) + " " + args +
                 " " + q(model));
    ASSERT_EQ(s.exit_code, 0) << args << s.output;
    auto v = run(mg() + " verify key --public-key " + q(tmp / "key.pub") + " --signature " + q(sig) + " " + q(model));
    EXPECT_EQ(v.exit_code, 0) << args << v.output;
    expect_schema_valid(sig);
    // A changed byte in the middle of a sharded file is caught.
    mgtest::write_file(model / "weights/part-00001.bin", std::string(500, 'a') + "X" + std::string(499, 'a') + "tail");
    auto bad = run(mg() + " verify key --public-key " + q(tmp / "key.pub") + " --signature " + q(sig) + " " + q(model));
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_NE(bad.output.find("weights/part-00001.bin"), std::string::npos) << bad.output;
    mgtest::write_file(model / "weights/part-00001.bin", std::string(1000, 'a') + "tail");
  }
}

TEST(SignRoundTrip, CertificateMethodWithGeneratedChain) {
  for (const char* curve : {"P-256", "P-384", "P-521"}) {
    mgtest::TempDir tmp;
    fs::path model = make_model(tmp.path());
    auto pki = mgtest::make_test_pki(curve);
    mgtest::write_file(tmp / "leaf.key", mgtest::private_key_pem(pki.leaf_key.get()));
    mgtest::write_file(tmp / "leaf.pem", mgtest::certificate_pem(pki.leaf.get()));
    mgtest::write_file(tmp / "int.pem", mgtest::certificate_pem(pki.intermediate.get()));
    mgtest::write_file(tmp / "root.pem", mgtest::certificate_pem(pki.root.get()));
    fs::path sig = tmp / "model.sig";
    auto s = run(mg() + " sign certificate --private-key " + q(tmp / "leaf.key") + " --signing-certificate " +
                 q(tmp / "leaf.pem") + " --certificate-chain " + q(tmp / "int.pem") + " --signature " + q(sig) + " " + q(model));
    ASSERT_EQ(s.exit_code, 0) << s.output;
    auto v = run(mg() + " verify certificate --certificate-chain " + q(tmp / "root.pem") + " --signature " + q(sig) + " " + q(model));
    EXPECT_EQ(v.exit_code, 0) << curve << v.output;
    expect_schema_valid(sig);
  }
}

TEST(SignRoundTrip, SingleFileModel) {
  mgtest::TempDir tmp;
  fs::path model = make_model(tmp.path());
  auto key = mgtest::generate_ec_key("P-384");
  mgtest::write_file(tmp / "key.pem", mgtest::private_key_pem(key.get()));
  mgtest::write_file(tmp / "key.pub", mgtest::public_key_pem_of(key.get()));
  fs::path file = model / "config.json";
  auto s = run(mg() + " sign key --private-key " + q(tmp / "key.pem") + " --signature " + q(tmp / "f.sig") + " " + q(file));
  ASSERT_EQ(s.exit_code, 0) << s.output;
  auto v = run(mg() + " verify key --public-key " + q(tmp / "key.pub") + " --signature " + q(tmp / "f.sig") + " " + q(file));
  EXPECT_EQ(v.exit_code, 0) << v.output;
  auto other = run(mg() + " verify key --public-key " + q(tmp / "key.pub") + " --signature " + q(tmp / "f.sig") + " " +
                   q(model / "a.b"));
  EXPECT_EQ(other.exit_code, 1) << other.output;
}

// The reference's digest of the v1.1.0 vector: same resources, same root digest.
TEST(SignRoundTrip, DigestMatchesTheReference) {
  fs::path dir = mgtest::source_dir() / "tests/fixtures/oms/model-transparency/v1.1.0-elliptic-key";
  auto r = run(mg() + " digest --ignore-paths " + q(dir / "ignore-me") + " --ignore-paths " + q(dir / "model.sig") + " " + q(dir));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sha256:bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc  signme-1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4"), std::string::npos) << r.output;
}

TEST(SignManifest, CanonicalOrderComparesPathComponents) {
  using modelgate::sign::ManifestItem;
  using modelgate::sign::Manifest;
  Manifest m;
  for (const char* p : {"a.b", "a/b", "a-b", "a", "b/a", "a/b/c"}) m.items.push_back({p, false, 0, 0, {}, {}});
  m.sort();
  std::vector<std::string> names;
  for (const auto& i : m.items) names.push_back(i.path);
  // Python's PurePosixPath order: ("a",) < ("a","b") < ("a","b","c") < ("a-b",) < ("a.b",) < ("b","a")
  EXPECT_EQ(names, (std::vector<std::string>{"a", "a/b", "a/b/c", "a-b", "a.b", "b/a"}));
  Manifest s;
  for (std::uint64_t start : {20u, 9u, 100u, 0u}) s.items.push_back({"f", true, start, start + 1, {}, {}});
  s.sort();
  EXPECT_EQ(s.items[0].name(), "f:0:1");
  EXPECT_EQ(s.items[1].name(), "f:9:10");
  EXPECT_EQ(s.items[2].name(), "f:20:21");
  EXPECT_EQ(s.items[3].name(), "f:100:101");
}

}  // namespace

namespace {

// An independent verifier in Python (the reference's libraries: cryptography, hashlib) accepts what
// modelgate signs, on every curve, including the canonical resource order.
TEST(SignRoundTrip, IndependentPythonVerifierAgrees) {
  for (const char* curve : {"P-256", "P-384", "P-521"}) {
    mgtest::TempDir tmp;
    fs::path model = make_model(tmp.path());
    auto key = mgtest::generate_ec_key(curve);
    mgtest::write_file(tmp / "key.pem", mgtest::private_key_pem(key.get()));
    mgtest::write_file(tmp / "key.pub", mgtest::public_key_pem_of(key.get()));
    auto s = run(mg() + " sign key --private-key " + q(tmp / "key.pem") + " --signature " + q(tmp / "m.sig") + " " + q(model));
    ASSERT_EQ(s.exit_code, 0) << s.output;
    auto v = run(mgtest::python() + " " + q(mgtest::source_dir() / "tests/fixtures/verify_oms_bundle.py") + " " +
                 q(tmp / "m.sig") + " " + q(tmp / "key.pub") + " " + q(model));
    if (v.exit_code == 77) GTEST_SKIP() << "python3-cryptography is not installed";
    EXPECT_EQ(v.exit_code, 0) << curve << ": " << v.output;
    // And it rejects a tampered model, so the check has teeth.
    mgtest::write_file(model / "a/b", "changed");
    auto bad = run(mgtest::python() + " " + q(mgtest::source_dir() / "tests/fixtures/verify_oms_bundle.py") + " " +
                   q(tmp / "m.sig") + " " + q(tmp / "key.pub") + " " + q(model));
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
  }
}

}  // namespace

}  // namespace sign_roundtrip_test
