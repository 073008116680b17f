// Tampering and bad input: every change to a signed model or its bundle fails, and the message names
// the check that failed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "sign/certificate_method.h"
#include "sign/embedded_trusted_root.h"
#include "sign/key_method.h"
#include "sign/model_signing.h"
#include "sign/sigstore_verifier.h"
#include "sign/statement.h"
#include "sign/trusted_root.h"
#include "sign_test_util.h"

namespace sign_tamper_test {

namespace {

namespace fs = std::filesystem;
using modelgate::Expected;
using namespace modelgate::sign;
using nlohmann::json;

std::string mg() { return mgtest::modelgate_binary(); }
std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

struct SignedModel {
  mgtest::TempDir tmp;
  fs::path model, sig, pub, priv;
  PKey key;

  SignedModel() {
    model = tmp / "model";
    mgtest::write_file(model / "weights.bin", std::string(4096, 'w'));
    mgtest::write_file(model / "config.json", "{}");
    mgtest::write_file(model / "sub/tokenizer.json", "[]");
    key = mgtest::generate_ec_key("P-256");
    priv = tmp / "key.pem";
    pub = tmp / "key.pub";
    sig = tmp / "model.sig";
    mgtest::write_file(priv, mgtest::private_key_pem(key.get()));
    mgtest::write_file(pub, mgtest::public_key_pem_of(key.get()));
    HashingConfig config;
    config.signature = sig;
    auto manifest = hash_model(model, config);
    EXPECT_TRUE(manifest.ok());
    auto bundle = sign_with_key(statement_json(*manifest), key.get());
    mgtest::write_file(sig, *bundle);
  }

  Expected<VerifyReport> verify(VerifyOptions options = {}, EVP_PKEY* with = nullptr) const {
    EVP_PKEY* k = with ? with : key.get();
    return verify_model(model, sig, options, [k](const Bundle& b, CheckEvents&) { return verify_with_key(b, k); });
  }
};

void expect_failed(const Expected<VerifyReport>& r, const std::string& check, const std::string& mentions = "") {
  ASSERT_FALSE(r.ok()) << "expected the " << check << " check to fail";
  EXPECT_EQ(r.error().origin, check) << r.error().message();
  if (!mentions.empty()) {
    EXPECT_NE(r.error().reason.find(mentions), std::string::npos) << r.error().message();
  }
}

TEST(SignTamper, UntouchedModelVerifies) {
  SignedModel s;
  auto r = s.verify();
  EXPECT_TRUE(r.ok()) << r.error().message();
}

TEST(SignTamper, ChangedByte) {
  SignedModel s;
  mgtest::write_file(s.model / "weights.bin", std::string(4095, 'w') + "x");
  expect_failed(s.verify(), "manifest", "modified (digest differs): weights.bin");
}

TEST(SignTamper, RenamedFile) {
  SignedModel s;
  fs::rename(s.model / "config.json", s.model / "config2.json");
  auto r = s.verify();
  expect_failed(r, "manifest", "missing from the model: config.json");
  EXPECT_NE(r.error().reason.find("not signed: config2.json"), std::string::npos);
}

TEST(SignTamper, AddedFileUnlessUnsignedFilesAreIgnored) {
  SignedModel s;
  mgtest::write_file(s.model / "sub/extra.py", "print(1)");
  expect_failed(s.verify(), "manifest", "not signed: sub/extra.py");
  VerifyOptions lenient;
  lenient.ignore_unsigned_files = true;
  EXPECT_TRUE(s.verify(lenient).ok());
}

TEST(SignTamper, RemovedFile) {
  SignedModel s;
  fs::remove(s.model / "sub/tokenizer.json");
  expect_failed(s.verify(), "manifest", "missing from the model: sub/tokenizer.json");
}

TEST(SignTamper, ChangedIgnoreListAtVerification) {
  SignedModel s;
  VerifyOptions options;
  options.hashing.ignore_paths = {(s.model / "sub").string()};
  expect_failed(s.verify(options), "manifest", "missing from the model: sub/tokenizer.json");
}

json load(const fs::path& p) { return json::parse(mgtest::read_file(p)); }
void save(const fs::path& p, const json& j) { mgtest::write_file(p, j.dump()); }

TEST(SignTamper, ChangedIgnoreListInsideTheSignature) {
  SignedModel s;
  json b = load(s.sig);
  auto payload = base64_decode(b["dsseEnvelope"]["payload"].get<std::string>());
  json statement = json::parse(payload->begin(), payload->end());
  statement["predicate"]["serialization"]["ignore_paths"].push_back("weights.bin");
  b["dsseEnvelope"]["payload"] = base64_encode(as_bytes(statement.dump()));
  save(s.sig, b);
  expect_failed(s.verify(), "signature");
}

TEST(SignTamper, SwappedSignature) {
  SignedModel a;
  SignedModel b;  // another model, another key... use a's key on b's signature bytes
  json ja = load(a.sig), jb = load(b.sig);
  ja["dsseEnvelope"]["signatures"][0]["sig"] = jb["dsseEnvelope"]["signatures"][0]["sig"];
  save(a.sig, ja);
  expect_failed(a.verify(), "signature");
}

TEST(SignTamper, WrongKey) {
  SignedModel s;
  auto other = mgtest::generate_ec_key("P-256");
  expect_failed(s.verify({}, other.get()), "key hint");
  // Without a hint (older bundles), the signature check itself refuses the key.
  json b = load(s.sig);
  b["verificationMaterial"]["publicKey"].erase("hint");
  save(s.sig, b);
  expect_failed(s.verify({}, other.get()), "signature");
}

TEST(SignTamper, InconsistentManifest) {
  // A payload whose subject digest does not cover its resources is refused even when signed.
  SignedModel s;
  json b = load(s.sig);
  auto payload = base64_decode(b["dsseEnvelope"]["payload"].get<std::string>());
  json statement = json::parse(payload->begin(), payload->end());
  statement["subject"][0]["digest"]["sha256"] = std::string(64, '0');
  auto resigned = sign_with_key(statement.dump(), s.key.get());
  mgtest::write_file(s.sig, *resigned);
  expect_failed(s.verify(), "manifest consistency");
}

TEST(SignTamper, TruncatedMissingAndMalformedBundles) {
  SignedModel s;
  std::string text = mgtest::read_file(s.sig);
  mgtest::write_file(s.sig, text.substr(0, text.size() / 2));
  expect_failed(s.verify(), "bundle", "not valid JSON");
  mgtest::write_file(s.sig, "[]");
  expect_failed(s.verify(), "bundle");
  fs::remove(s.sig);
  expect_failed(s.verify(), "bundle");
  auto cli = mgtest::run(mg() + " verify key --public-key " + q(s.pub) + " --signature " + q(s.sig) + " " + q(s.model));
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("bundle"), std::string::npos) << cli.output;
}

TEST(SignTamper, SymlinksAreRefusedUnlessAllowed) {
  SignedModel s;
  fs::create_symlink(s.model / "config.json", s.model / "link.json");
  auto r = s.verify();
  expect_failed(r, "model files", "symbolic link");
  auto cli = mgtest::run(mg() + " sign key --private-key " + q(s.priv) + " --signature " + q(s.tmp / "x.sig") + " " + q(s.model));
  EXPECT_EQ(cli.exit_code, 2) << cli.output;
  EXPECT_NE(cli.output.find("symbolic link"), std::string::npos) << cli.output;
  auto allowed = mgtest::run(mg() + " sign key --allow-symlinks --private-key " + q(s.priv) + " --signature " +
                             q(s.tmp / "x.sig") + " " + q(s.model));
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  auto verified = mgtest::run(mg() + " verify key --public-key " + q(s.pub) + " --signature " + q(s.tmp / "x.sig") + " " + q(s.model));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST(SignTamper, SpecialFilesAreRefused) {
  SignedModel s;
  ASSERT_EQ(::mkfifo((s.model / "pipe").c_str(), 0600), 0);
  expect_failed(s.verify(), "model files", "FIFO");
}

TEST(SignTamper, UnsupportedKeyTypes) {
  mgtest::TempDir tmp;
  mgtest::write_file(tmp / "m/f", "x");
  modelgate::sign::PKey ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  mgtest::write_file(tmp / "ed.pem", mgtest::private_key_pem(ed.get()));
  auto r = mgtest::run(mg() + " sign key --private-key " + q(tmp / "ed.pem") + " --signature " + q(tmp / "s") + " " + q(tmp / "m"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("elliptic-curve"), std::string::npos) << r.output;
  auto k1 = mgtest::generate_ec_key("secp256k1");
  mgtest::write_file(tmp / "k1.pem", mgtest::private_key_pem(k1.get()));
  auto c = mgtest::run(mg() + " sign key --private-key " + q(tmp / "k1.pem") + " --signature " + q(tmp / "s") + " " + q(tmp / "m"));
  EXPECT_EQ(c.exit_code, 2) << c.output;
  EXPECT_NE(c.output.find("unsupported curve"), std::string::npos) << c.output;
}

// Certificate method: chains that must not verify.
struct CertSigned {
  mgtest::TempDir tmp;
  fs::path model, sig;
  CertSigned(EVP_PKEY* key, X509* leaf, const std::vector<X509*>& chain) {
    model = tmp / "model";
    sig = tmp / "model.sig";
    mgtest::write_file(model / "w.bin", "weights");
    auto manifest = hash_model(model, {});
    std::vector<Cert> copies;
    for (X509* c : chain) {
      X509_up_ref(c);
      copies.emplace_back(c);
    }
    auto bundle = sign_with_certificate(statement_json(*manifest), key, leaf, copies);
    EXPECT_TRUE(bundle.ok());
    mgtest::write_file(sig, *bundle);
  }
  Expected<VerifyReport> verify(X509* anchor) const {
    std::vector<Cert> anchors;
    X509_up_ref(anchor);
    anchors.emplace_back(anchor);
    return verify_model(model, sig, {}, [&](const Bundle& b, CheckEvents&) { return verify_with_certificate(b, anchors); });
  }
};

TEST(SignTamper, CertificateChains) {
  auto pki = mgtest::make_test_pki();
  {
    CertSigned s(pki.leaf_key.get(), pki.leaf.get(), {pki.intermediate.get()});
    EXPECT_TRUE(s.verify(pki.root.get()).ok());
    auto other = mgtest::make_test_pki();
    expect_failed(s.verify(other.root.get()), "certificate chain");
  }
  {
    // The intermediate is left out of the bundle: the chain cannot be built.
    CertSigned s(pki.leaf_key.get(), pki.leaf.get(), {});
    expect_failed(s.verify(pki.root.get()), "certificate chain");
  }
  {
    // A CA that had expired when the leaf was issued.
    auto k = mgtest::generate_ec_key("P-256");
    auto leaf_key = mgtest::generate_ec_key("P-256");
    auto expired_ca = mgtest::make_certificate({"expired-ca", true, -100, -50, "critical,keyCertSign"}, k.get(),
                                               pki.root.get(), pki.root_key.get());
    auto leaf = mgtest::make_certificate({"late-leaf", false, -1, 30, "critical,digitalSignature"}, leaf_key.get(),
                                         expired_ca.get(), k.get());
    CertSigned s(leaf_key.get(), leaf.get(), {expired_ca.get()});
    expect_failed(s.verify(pki.root.get()), "certificate chain", "expired");
  }
  {
    // A leaf that may not sign.
    auto leaf_key = mgtest::generate_ec_key("P-256");
    auto leaf = mgtest::make_certificate({"enc-only", false, -1, 30, "critical,keyEncipherment", "serverAuth"},
                                         leaf_key.get(), pki.intermediate.get(), pki.int_key.get());
    CertSigned s(leaf_key.get(), leaf.get(), {pki.intermediate.get()});
    expect_failed(s.verify(pki.root.get()), "key usage");
  }
  {
    // The signing key does not match the certificate.
    auto stranger = mgtest::generate_ec_key("P-256");
    auto manifest = hash_model(fs::path(mgtest::source_dir() / "tests/fixtures/oms/model-transparency/v1.1.0-certificate/signme-1"), {});
    auto bundle = sign_with_certificate(statement_json(*manifest), stranger.get(), pki.leaf.get(), {});
    ASSERT_FALSE(bundle.ok());
    EXPECT_FALSE(is_verification_failure(bundle.error()));
  }
}

// Sigstore: tampering with the transparency log entry or trust material.
struct SigstoreCase {
  mgtest::TempDir tmp;
  fs::path model, sig;
  json bundle;
  SigstoreCase() {
    fs::path src = mgtest::source_dir() / "tests/fixtures/oms/model-transparency/v1.1.0-sigstore";
    model = tmp / "v1.1.0-sigstore";
    fs::create_directories(model);
    for (const char* f : {"signme-1", "signme-2", "ignore-me"}) fs::copy_file(src / f, model / f);
    sig = tmp / "model.sig";
    bundle = load(src / "model.sig");
  }
  json& entry() { return bundle["verificationMaterial"]["tlogEntries"][0]; }
  Expected<VerifyReport> verify(const std::string& root_text = std::string(embedded_trusted_root()),
                                SigstoreIdentity who = {"stefanb@us.ibm.com", "https://sigstore.verify.ibm.com/oauth2"}) {
    save(sig, bundle);
    auto root = parse_trusted_root(root_text);
    EXPECT_TRUE(root.ok());
    const TrustedRoot& r = *root;
    return verify_model(model, sig, {}, [&](const Bundle& b, CheckEvents&) { return verify_with_sigstore(b, r, who); });
  }
};

TEST(SignTamper, SigstoreBaseline) {
  SigstoreCase c;
  auto r = c.verify();
  EXPECT_TRUE(r.ok()) << r.error().message();
}

TEST(SignTamper, SigstoreWrongIdentityOrProvider) {
  SigstoreCase c;
  expect_failed(c.verify(std::string(embedded_trusted_root()), {"mallory@example.com", "https://sigstore.verify.ibm.com/oauth2"}),
                "identity", "stefanb@us.ibm.com");
  expect_failed(c.verify(std::string(embedded_trusted_root()), {"stefanb@us.ibm.com", "https://accounts.google.com"}),
                "identity provider");
}

TEST(SignTamper, SigstoreSignedEntryTimestamp) {
  SigstoreCase c;
  c.entry()["integratedTime"] = "1760062341";
  expect_failed(c.verify(), "signed entry timestamp");
  SigstoreCase d;
  d.entry()["logIndex"] = "598151087";
  expect_failed(d.verify(), "signed entry timestamp");
  SigstoreCase e;
  e.entry().erase("inclusionPromise");
  expect_failed(e.verify(), "signed entry timestamp");
}

TEST(SignTamper, SigstoreInclusionProof) {
  SigstoreCase c;
  auto& hashes = c.entry()["inclusionProof"]["hashes"];
  std::swap(hashes[0], hashes[1]);
  expect_failed(c.verify(), "inclusion proof");
  SigstoreCase d;
  d.entry()["inclusionProof"]["logIndex"] = "476246823";
  expect_failed(d.verify(), "inclusion proof");
  SigstoreCase e;
  e.entry()["inclusionProof"]["hashes"].erase(0);
  expect_failed(e.verify(), "inclusion proof");
}

TEST(SignTamper, SigstoreCheckpoint) {
  SigstoreCase c;
  std::string note = c.entry()["inclusionProof"]["checkpoint"]["envelope"];
  note.replace(note.find("476246825"), 9, "476246826");
  c.entry()["inclusionProof"]["checkpoint"]["envelope"] = note;
  expect_failed(c.verify(), "checkpoint");
  SigstoreCase d;
  d.entry()["inclusionProof"].erase("checkpoint");
  expect_failed(d.verify(), "checkpoint");
}

TEST(SignTamper, SigstoreEntryForAnotherEnvelope) {
  // A genuine, fully valid log entry, but for a different signature (v1.0.0's): the body check fails.
  SigstoreCase c;
  json other = load(mgtest::source_dir() / "tests/fixtures/oms/model-transparency/v1.0.0-sigstore/model.sig");
  c.bundle["verificationMaterial"]["tlogEntries"] = other["verificationMaterial"]["tlogEntries"];
  expect_failed(c.verify(), "tlog body");
  // And the other bundle's certificate with this envelope fails the signature.
  SigstoreCase d;
  d.bundle["verificationMaterial"]["certificate"] = other["verificationMaterial"]["certificate"];
  expect_failed(d.verify(), "signature");
}

TEST(SignTamper, SigstoreTrustedRootMismatch) {
  std::string text(embedded_trusted_root());
  {
    json root = json::parse(text);
    root["tlogs"].erase(0);  // drop rekor.sigstore.dev
    SigstoreCase c;
    expect_failed(c.verify(root.dump()), "transparency log");
  }
  {
    json root = json::parse(text);
    for (auto& ca : root["certificateAuthorities"]) ca["validFor"]["end"] = "2025-01-01T00:00:00Z";
    SigstoreCase c;
    expect_failed(c.verify(root.dump()), "certificate chain");
  }
  {
    json root = json::parse(text);
    root["ctlogs"] = json::array();
    SigstoreCase c;
    expect_failed(c.verify(root.dump()), "SCT");
  }
}

TEST(SignTamper, SigstoreModelChange) {
  SigstoreCase c;
  mgtest::write_file(c.model / "signme-2", "changed!");
  expect_failed(c.verify(), "manifest", "signme-2");
}

}  // namespace

}  // namespace sign_tamper_test
