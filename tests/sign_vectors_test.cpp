// Interoperability: every signature made by the reference model_signing (0.2 to 1.1) and every valid
// spec vector verifies; every invalid spec vector fails, naming the failed check.
#include <gtest/gtest.h>

#include "sign/certificate_method.h"
#include "sign/embedded_trusted_root.h"
#include "sign/key_method.h"
#include "sign/model_signing.h"
#include "sign/sigstore_verifier.h"
#include "sign/statement.h"
#include "sign/trusted_root.h"
#include "test_util.h"

namespace sign_vectors_test {

namespace {

using namespace modelgate::sign;
namespace fs = std::filesystem;

fs::path vectors() { return mgtest::source_dir() / "tests/fixtures/oms"; }
fs::path mt() { return vectors() / "model-transparency"; }
fs::path spec() { return vectors() / "spec/test-vectors/v1.0"; }

const char* kIdentity = "stefanb@us.ibm.com";
const char* kProvider = "https://sigstore.verify.ibm.com/oauth2";

PKey vector_public_key() {
  auto pem = read_small_file(mt() / "keys/signing-key-pub.pem", 1 << 20, "key");
  auto key = load_public_key(*pem);
  return std::move(*key);
}

std::vector<Cert> vector_anchors() {
  auto pem = read_small_file(mt() / "keys/ca-cert.pem", 1 << 20, "ca");
  return std::move(*parse_certificates_pem(*pem, "ca"));
}

TrustedRoot public_good_root() { return std::move(*parse_trusted_root(embedded_trusted_root())); }

VerifyOptions options_with(std::vector<std::string> ignore, const fs::path& signature) {
  VerifyOptions o;
  o.hashing.ignore_paths = std::move(ignore);
  o.hashing.signature = signature;
  return o;
}

// v1.0.1 recorded no ignore list in the signature, so `ignore-me` must be given again (as the
// reference reads it: a path from the working directory).
std::vector<std::string> ignores_for(const std::string& version, const fs::path& dir) {
  return version == "v1.0.1" ? std::vector<std::string>{(dir / "ignore-me").string()} : std::vector<std::string>{};
}

TEST(SignVectors, ReferenceKeySignaturesVerify) {
  auto key = vector_public_key();
  for (std::string v : {"v0.3.1", "v1.0.0", "v1.0.1", "v1.1.0"}) {
    fs::path dir = mt() / (v + "-elliptic-key");
    // 0.3.1 and 1.0.0 signed the single file signme-1 (resource name ".").
    fs::path model = fs::exists(dir / "signme-2") ? dir : dir / "signme-1";
    auto r = verify_model(model, dir / "model.sig", options_with(ignores_for(v, dir), dir / "model.sig"),
                          [&](const Bundle& b, CheckEvents&) { return verify_with_key(b, key.get()); });
    EXPECT_TRUE(r.ok()) << v << ": " << (r.ok() ? "" : r.error().message());
  }
}

TEST(SignVectors, ReferenceCertificateSignaturesVerify) {
  auto anchors = vector_anchors();
  for (std::string v : {"v0.2.0", "v0.3.1", "v1.0.0", "v1.0.1", "v1.1.0"}) {
    fs::path dir = mt() / (v + "-certificate");
    auto r = verify_model(dir, dir / "model.sig", options_with(ignores_for(v, dir), dir / "model.sig"),
                          [&](const Bundle& b, CheckEvents&) { return verify_with_certificate(b, anchors); });
    EXPECT_TRUE(r.ok()) << v << ": " << (r.ok() ? "" : r.error().message());
  }
}

// The reference's own tests verify its certificate bundles with the leaf's bare public key.
TEST(SignVectors, CertificateBundlesVerifyWithTheLeafKey) {
  auto key = vector_public_key();
  for (std::string v : {"v0.3.1", "v1.0.0", "v1.1.0"}) {
    fs::path dir = mt() / (v + "-certificate");
    auto r = verify_model(dir, dir / "model.sig", options_with({}, dir / "model.sig"),
                          [&](const Bundle& b, CheckEvents&) { return verify_with_key(b, key.get()); });
    EXPECT_TRUE(r.ok()) << v << ": " << (r.ok() ? "" : r.error().message());
  }
}

TEST(SignVectors, ReferenceSigstoreSignaturesVerifyOffline) {
  auto root = public_good_root();
  for (std::string v : {"v0.3.1", "v1.0.0", "v1.0.1", "v1.1.0"}) {
    fs::path dir = mt() / (v + "-sigstore");
    auto r = verify_model(dir, dir / "model.sig", options_with(ignores_for(v, dir), dir / "model.sig"),
                          [&](const Bundle& b, CheckEvents&) { return verify_with_sigstore(b, root, {kIdentity, kProvider}); });
    EXPECT_TRUE(r.ok()) << v << ": " << (r.ok() ? "" : r.error().message());
  }
}

// The spec's valid bundles sign the two files of v1.1.0-elliptic-key / v1.1.0-sigstore; they sit
// outside the model, so the model is copied without its own model.sig.
fs::path copy_model(const mgtest::TempDir& tmp, const std::string& from) {
  fs::path dir = tmp.path() / "model";
  fs::create_directories(dir);
  for (const char* f : {"signme-1", "signme-2", "ignore-me"})
    if (fs::exists(mt() / from / f)) fs::copy_file(mt() / from / f, dir / f);
  return dir;
}

TEST(SignVectors, SpecValidBundlesVerify) {
  mgtest::TempDir tmp;
  fs::path model = copy_model(tmp, "v1.1.0-elliptic-key");
  auto key = vector_public_key();
  auto anchors = vector_anchors();
  auto r1 = verify_model(model, spec() / "valid/key.bundle.json", {}, [&](const Bundle& b, CheckEvents&) { return verify_with_key(b, key.get()); });
  EXPECT_TRUE(r1.ok()) << r1.error().message();
  auto r2 = verify_model(model, spec() / "valid/certificate.bundle.json", {},
                         [&](const Bundle& b, CheckEvents&) { return verify_with_certificate(b, anchors); });
  EXPECT_TRUE(r2.ok()) << r2.error().message();
  mgtest::TempDir tmp2;
  fs::path ss_model = copy_model(tmp2, "v1.1.0-sigstore");
  auto root = public_good_root();
  auto r3 = verify_model(ss_model, spec() / "valid/sigstore.bundle.json", {},
                         [&](const Bundle& b, CheckEvents&) { return verify_with_sigstore(b, root, {kIdentity, kProvider}); });
  EXPECT_TRUE(r3.ok()) << r3.error().message();
}

TEST(SignVectors, SpecInvalidBundlesFailWithTheCheckNamed) {
  mgtest::TempDir tmp;
  fs::path model = copy_model(tmp, "v1.1.0-elliptic-key");
  auto key = vector_public_key();
  auto root = public_good_root();
  struct Case {
    const char* file;
    const char* key_check;       // check named by `verify key`
    const char* sigstore_check;  // check named by `verify sigstore`
  };
  for (const Case& c : {Case{"invalid/empty.bundle.json", "bundle", "bundle"},
                        Case{"invalid/missing-envelope.bundle.json", "bundle", "bundle"},
                        Case{"invalid/missing-verification-material.bundle.json", "bundle", "bundle"},
                        Case{"invalid/missing-tlog-entries.bundle.json", "signature", "transparency log"},
                        Case{"invalid-payload/wrong-predicate.bundle.json", "signature", "verification material"}}) {
    auto r = verify_model(model, spec() / c.file, {}, [&](const Bundle& b, CheckEvents&) { return verify_with_key(b, key.get()); });
    ASSERT_FALSE(r.ok()) << c.file;
    EXPECT_EQ(r.error().origin, c.key_check) << c.file << ": " << r.error().message();
    EXPECT_TRUE(is_verification_failure(r.error()));
    auto s = verify_model(model, spec() / c.file, {},
                          [&](const Bundle& b, CheckEvents&) { return verify_with_sigstore(b, root, {kIdentity, kProvider}); });
    ASSERT_FALSE(s.ok()) << c.file;
    EXPECT_EQ(s.error().origin, c.sigstore_check) << c.file << ": " << s.error().message();
  }
}

// The wrong-predicate payload, even if it were signed, is refused by the statement check.
TEST(SignVectors, WrongPredicateTypeIsRefusedByTheStatementCheck) {
  auto text = read_small_file(spec() / "invalid-payload/wrong-predicate.bundle.json", 1 << 20, "bundle");
  auto bundle = parse_bundle(*text);
  ASSERT_TRUE(bundle.ok());
  auto statement = parse_statement(bundle->payload);
  ASSERT_FALSE(statement.ok());
  EXPECT_EQ(statement.error().origin, "predicate type");
}

TEST(SignVectors, CliExitCodes) {
  std::string m = mgtest::modelgate_binary();
  fs::path dir = mt() / "v1.1.0-sigstore";
  auto ok = mgtest::run(m + " verify sigstore --identity " + kIdentity + " --identity-provider " + kProvider +
                        " --signature " + (dir / "model.sig").string() + " " + dir.string());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  auto wrong = mgtest::run(m + " verify sigstore --identity someone@example.com --identity-provider " + kProvider +
                           " --signature " + (dir / "model.sig").string() + " " + dir.string());
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("identity"), std::string::npos) << wrong.output;
  auto usage = mgtest::run(m + " verify sigstore --signature " + (dir / "model.sig").string() + " " + dir.string());
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  auto key_dir = mt() / "v1.1.0-elliptic-key";
  auto key_ok = mgtest::run(m + " verify key --public-key " + (mt() / "keys/signing-key-pub.pem").string() +
                            " --signature " + (key_dir / "model.sig").string() + " " + key_dir.string());
  EXPECT_EQ(key_ok.exit_code, 0) << key_ok.output;
  auto cert_ok = mgtest::run(m + " verify certificate --certificate-chain " + (mt() / "keys/ca-cert.pem").string() +
                             " --signature " + (mt() / "v1.0.1-certificate/model.sig").string() + " --ignore-paths " + (mt() / "v1.0.1-certificate/ignore-me").string() + " " +
                             (mt() / "v1.0.1-certificate").string());
  EXPECT_EQ(cert_ok.exit_code, 0) << cert_ok.output;
}

}  // namespace

}  // namespace sign_vectors_test
