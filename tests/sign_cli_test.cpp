// The sign/verify/digest command lines: the reference's spellings and defaults, where the bundle is
// written (never over the model or an input, never silently over a signature, atomically), inputs
// that must not block, names that are not UTF-8, and the bundle forms verification accepts.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "sign/encoding.h"
#include "sign_test_util.h"

namespace sign_cli_test {

namespace {

namespace fs = std::filesystem;
using mgtest::run;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }
std::string mg() { return mgtest::modelgate_binary(); }
fs::path vectors() { return mgtest::source_dir() / "tests/fixtures/oms/model-transparency"; }

struct Signer {
  mgtest::TempDir tmp;
  fs::path model, key, pub;
  Signer() {
    model = tmp / "model";
    mgtest::write_file(model / "config.json", "{\"layers\": 2}\n");
    mgtest::write_file(model / "weights.bin", std::string(3000, 'w'));
    auto k = mgtest::generate_ec_key("P-256");
    key = tmp / "key.pem";
    pub = tmp / "key.pub";
    mgtest::write_file(key, mgtest::private_key_pem(k.get()));
    mgtest::write_file(pub, mgtest::public_key_pem_of(k.get()));
  }
  mgtest::CommandResult sign(const std::string& args) {
    return run(mg() + " sign key --private-key " + q(key) + " " + args + " " + q(model) + " </dev/null");
  }
  mgtest::CommandResult verify(const fs::path& sig, const std::string& args = "") {
    return run(mg() + " verify key --public-key " + q(pub) + " --signature " + q(sig) + " " + args + " " + q(model));
  }
};

TEST(SignCli, RefusesToOverwriteAModelFileOrAnInput) {
  Signer s;
  std::string config = mgtest::read_file(s.model / "config.json");
  for (std::string force : {"", "--force"}) {
    auto r = s.sign("--signature " + q(s.model / "config.json") + " " + force);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("is a file of the model being signed"), std::string::npos) << r.output;
    EXPECT_EQ(mgtest::read_file(s.model / "config.json"), config);
    auto k = s.sign("--signature " + q(s.key) + " " + force);
    EXPECT_EQ(k.exit_code, 2) << k.output;
    EXPECT_NE(k.output.find("an input of this signing"), std::string::npos) << k.output;
  }
  // A single-file model is never its own signature.
  auto single = run(mg() + " sign key --private-key " + q(s.key) + " --force --signature " + q(s.model / "weights.bin") +
                    " " + q(s.model / "weights.bin"));
  EXPECT_EQ(single.exit_code, 2) << single.output;
  EXPECT_EQ(mgtest::read_file(s.model / "weights.bin"), std::string(3000, 'w'));
}

TEST(SignCli, AnExistingSignatureIsReplacedOnlyWithForce) {
  Signer s;
  fs::path inside = s.model / "model.sig";
  ASSERT_EQ(s.sign("--signature " + q(inside)).exit_code, 0);
  std::string first = mgtest::read_file(inside);
  auto again = s.sign("--signature " + q(inside));
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
  EXPECT_EQ(mgtest::read_file(inside), first);
  auto forced = s.sign("--signature " + q(inside) + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_NE(mgtest::read_file(inside), first);  // ECDSA signatures are randomized
  EXPECT_EQ(s.verify(inside).exit_code, 0);

  // Outside the model: any existing file needs --force; a symbolic link is replaced, not written through.
  mgtest::write_file(s.tmp / "target", "keep me");
  fs::create_symlink(s.tmp / "target", s.tmp / "link.sig");
  EXPECT_EQ(s.sign("--signature " + q(s.tmp / "link.sig")).exit_code, 2);
  ASSERT_EQ(s.sign("--signature " + q(s.tmp / "link.sig") + " --force").exit_code, 0);
  EXPECT_FALSE(fs::is_symlink(s.tmp / "link.sig"));
  EXPECT_EQ(mgtest::read_file(s.tmp / "target"), "keep me");
  EXPECT_EQ(s.verify(s.tmp / "link.sig").exit_code, 0);
  // No temporary file is left behind.
  for (const auto& e : fs::directory_iterator(s.tmp.path()))
    EXPECT_EQ(e.path().filename().string().find(".modelgate-"), std::string::npos) << e.path();
}

TEST(SignCli, FifosAndDevicesAreRefusedAtOnce) {
  Signer s;
  ASSERT_EQ(::mkfifo((s.tmp / "fifo").c_str(), 0600), 0);
  // `timeout` turns a hang into exit 124.
  auto key = run("timeout 10 " + mg() + " sign key --private-key " + q(s.tmp / "fifo") + " --signature " +
                 q(s.tmp / "a.sig") + " " + q(s.model));
  EXPECT_EQ(key.exit_code, 2) << key.output;
  EXPECT_NE(key.output.find("FIFO"), std::string::npos) << key.output;
  auto zero = run("timeout 10 " + mg() + " sign key --private-key /dev/zero --signature " + q(s.tmp / "a.sig") + " " +
                  q(s.model));
  EXPECT_EQ(zero.exit_code, 2) << zero.output;
  auto sig = run("timeout 10 " + mg() + " verify key --public-key " + q(s.pub) + " --signature " + q(s.tmp / "fifo") +
                 " " + q(s.model));
  EXPECT_EQ(sig.exit_code, 1) << sig.output;
  auto pub = run("timeout 10 " + mg() + " verify key --public-key /dev/zero --signature " + q(s.tmp / "a.sig") + " " +
                 q(s.model));
  EXPECT_EQ(pub.exit_code, 2) << pub.output;
  auto out = s.sign("--signature " + q(s.tmp / "fifo") + " --force");
  EXPECT_EQ(out.exit_code, 0) << out.output;  // replaced by rename, never opened
}

TEST(SignCli, NamesThatAreNotUtf8AreRefusedWithAMessage) {
  Signer s;
  std::string bad = "bad-\xff\xfe-name";
  mgtest::write_file(s.model / bad, "x");
  for (std::string cmd : {std::string("digest"), std::string("digest --json"), "sign key --private-key " + q(s.key) + " --signature " + q(s.tmp / "x.sig")}) {
    auto r = run(mg() + " " + cmd + " " + q(s.model));
    EXPECT_EQ(r.exit_code, 2) << cmd << r.output;
    EXPECT_NE(r.output.find("bad-\\xff\\xfe-name"), std::string::npos) << cmd << r.output;  // escaped
    EXPECT_NE(r.output.find("UTF-8"), std::string::npos) << cmd << r.output;
  }
  // Left out, the model signs; the name cannot be recorded in the bundle, so verification needs the
  // same --ignore-paths again (or --ignore-unsigned-files).
  auto signed_ok = s.sign("--signature " + q(s.tmp / "ok.sig") + " --ignore-paths " + q(s.model / bad));
  ASSERT_EQ(signed_ok.exit_code, 0) << signed_ok.output;
  auto v = s.verify(s.tmp / "ok.sig");
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_NE(v.output.find("UTF-8"), std::string::npos) << v.output;
  EXPECT_EQ(s.verify(s.tmp / "ok.sig", "--ignore-paths " + q(s.model / bad)).exit_code, 0);
  EXPECT_EQ(s.verify(s.tmp / "ok.sig", "--ignore-unsigned-files").exit_code, 0);
  // A model directory with such a name gives no subject name.
  fs::path badroot = s.tmp / ("model-\xff");
  mgtest::write_file(badroot / "f", "x");
  auto root = run(mg() + " digest --json " + q(badroot));
  EXPECT_EQ(root.exit_code, 2) << root.output;
}

TEST(SignCli, ColonNamesUnderShardsRoundTrip) {
  Signer s;
  mgtest::write_file(s.model / "a:1:2", std::string(40, 'c'));
  mgtest::write_file(s.model / "dir:x/f:", "d");
  ASSERT_EQ(s.sign("--serialization shards --shard-size 16 --signature " + q(s.tmp / "c.sig")).exit_code, 0);
  EXPECT_EQ(s.verify(s.tmp / "c.sig").exit_code, 0);
  mgtest::write_file(s.model / "a:1:2", std::string(39, 'c') + "X");
  auto bad = s.verify(s.tmp / "c.sig");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("a:1:2:32:40"), std::string::npos) << bad.output;
}

TEST(SignCli, ReferenceSpellingsAndDefaults) {
  Signer s;
  // Underscores, --log-level before the command, both forms of the boolean flags.
  mgtest::write_file(s.model / ".gitignore", "x\n");
  auto r = run(mg() + " --log-level INFO sign key --private_key " + q(s.key) + " --signature " + q(s.tmp / "u.sig") +
               " --no_ignore_git_paths --ignore_paths " + q(s.model / "weights.bin") + " " + q(s.model));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto v = run(mg() + " verify key --public_key " + q(s.pub) + " --signature " + q(s.tmp / "u.sig") +
               " --no-ignore-git-paths --no-ignore-unsigned-files " + q(s.model));
  EXPECT_EQ(v.exit_code, 0) << v.output;
  auto without_git = run(mg() + " verify key --public-key " + q(s.pub) + " --signature " + q(s.tmp / "u.sig") +
                         " --ignore-git-paths " + q(s.model));
  EXPECT_EQ(without_git.exit_code, 1) << without_git.output;  // the signed .gitignore is now left out
  EXPECT_NE(without_git.output.find("signed but missing from the model: .gitignore"), std::string::npos)
      << without_git.output;

  // Ignore paths are read from the working directory; one outside the model is dropped.
  auto rel = run("cd " + q(s.tmp.path()) + " && " + mg() + " digest --json --ignore-paths model/weights.bin "
                 "--ignore-paths weights.bin --ignore-paths ../elsewhere model");
  ASSERT_EQ(rel.exit_code, 0) << rel.output;
  auto st = nlohmann::json::parse(rel.output);
  EXPECT_EQ(st["predicate"]["resources"].size(), 1u) << rel.output;  // config.json
  auto ignores = st["predicate"]["serialization"]["ignore_paths"];
  EXPECT_NE(std::find(ignores.begin(), ignores.end(), "weights.bin"), ignores.end()) << rel.output;
  EXPECT_EQ(ignores.size(), 5u) << rel.output;  // the git paths and weights.bin only

  // The method defaults to sigstore: keyless signing is explained, keyless verification works offline.
  auto keyless = run(mg() + " sign --signature " + q(s.tmp / "k.sig") + " " + q(s.model));
  EXPECT_EQ(keyless.exit_code, 2) << keyless.output;
  EXPECT_NE(keyless.output.find("sigstore signing is not offered"), std::string::npos) << keyless.output;
  fs::path ss = vectors() / "v1.1.0-sigstore";
  auto offline = run(mg() + " verify --signature " + q(ss / "model.sig") + " --ignore-paths " + q(ss / "ignore-me") +
                     " --identity stefanb@us.ibm.com --identity_provider https://sigstore.verify.ibm.com/oauth2 " + q(ss));
  EXPECT_EQ(offline.exit_code, 0) << offline.output;
  auto pkcs11 = run(mg() + " sign pkcs11_key --pkcs11_uri 'pkcs11:object=k' " + q(s.model));
  EXPECT_EQ(pkcs11.exit_code, 2) << pkcs11.output;
  EXPECT_NE(pkcs11.output.find("PKCS#11"), std::string::npos) << pkcs11.output;
}

TEST(SignCli, VerifyAllowsSymlinksWhenAsked) {
  Signer s;
  mgtest::write_file(s.tmp / "target.bin", "linked");
  ASSERT_EQ(s.sign("--signature " + q(s.tmp / "a.sig")).exit_code, 0);
  fs::remove(s.model / "weights.bin");
  mgtest::write_file(s.tmp / "target.bin", std::string(3000, 'w'));
  fs::create_symlink(s.tmp / "target.bin", s.model / "weights.bin");
  auto refused = s.verify(s.tmp / "a.sig");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("--allow-symlinks"), std::string::npos) << refused.output;
  EXPECT_EQ(s.verify(s.tmp / "a.sig", "--allow-symlinks").exit_code, 0);
}

TEST(SignCli, EncryptedKeysNeedTheirPassword) {
  Signer s;
  auto k = mgtest::generate_ec_key("P-384");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PKCS8PrivateKey(bio, k.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr, const_cast<char*>("s3cret"));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  mgtest::write_file(s.tmp / "enc.pem", std::string(data, static_cast<std::size_t>(n)));
  BIO_free(bio);
  std::string base = mg() + " sign key --private-key " + q(s.tmp / "enc.pem") + " --signature " + q(s.tmp / "e.sig");
  auto none = run("timeout 10 " + base + " " + q(s.model) + " </dev/null");
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_NE(none.output.find("--password"), std::string::npos) << none.output;
  auto wrong = run(base + " --password nope " + q(s.model));
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  auto right = run(base + " --password s3cret " + q(s.model));
  EXPECT_EQ(right.exit_code, 0) << right.output;
  mgtest::write_file(s.tmp / "enc.pub", mgtest::public_key_pem_of(k.get()));
  auto v = run(mg() + " verify key --public-key " + q(s.tmp / "enc.pub") + " --signature " + q(s.tmp / "e.sig") + " " +
               q(s.model));
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

TEST(SignCli, CertificateOptionsOfTheReference) {
  fs::path dir = vectors() / "v1.1.0-certificate";
  std::string base = mg() + " verify certificate --signature " + q(dir / "model.sig") + " --ignore-paths " +
                     q(dir / "ignore-me") + " ";
  auto logged = run(base + "--certificate_chain " + q(vectors() / "keys/ca-cert.pem") + " --log-fingerprints " + q(dir));
  EXPECT_EQ(logged.exit_code, 0) << logged.output;
  EXPECT_NE(logged.output.find("[  init  ] sha256 Fingerprint: "), std::string::npos) << logged.output;
  EXPECT_NE(logged.output.find("[ verify ] sha256 Fingerprint: "), std::string::npos) << logged.output;
  // Without a chain the system's CA certificates are the anchors; the test CA is not among them.
  auto system = run(base + q(dir));
  EXPECT_EQ(system.exit_code, 1) << system.output;
  EXPECT_NE(system.output.find("certificate chain"), std::string::npos) << system.output;
  // `verify key` on a certificate bundle checks the leaf's key, as the reference does, and says so.
  auto key = run(mg() + " verify key --public-key " + q(vectors() / "keys/signing-key-pub.pem") + " --signature " +
                 q(dir / "model.sig") + " --ignore-paths " + q(dir / "ignore-me") + " " + q(dir));
  EXPECT_EQ(key.exit_code, 0) << key.output;
  EXPECT_NE(key.output.find("does not check"), std::string::npos) << key.output;
}

TEST(SignCli, SigstoreTrustOptionsWorkOffline) {
  mgtest::TempDir tmp;
  fs::path dir = vectors() / "v1.1.0-sigstore";
  std::string base = mg() + " verify sigstore --signature " + q(dir / "model.sig") + " --ignore-paths " +
                     q(dir / "ignore-me") + " --identity stefanb@us.ibm.com --identity-provider "
                     "https://sigstore.verify.ibm.com/oauth2 ";
  nlohmann::json root = nlohmann::json::parse(mgtest::read_file(mgtest::source_dir() / "data/sigstore/trusted_root.json"));
  nlohmann::json config = {{"mediaType", "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"},
                           {"trustedRoot", root},
                           {"signingConfig", nlohmann::json::object()}};
  mgtest::write_file(tmp / "trust.json", config.dump());
  auto with_config = run(base + "--trust-config " + q(tmp / "trust.json") + " " + q(dir));
  EXPECT_EQ(with_config.exit_code, 0) << with_config.output;
  auto staging = run(base + "--use-staging " + q(dir));
  EXPECT_EQ(staging.exit_code, 2) << staging.output;
  EXPECT_NE(staging.output.find("staging trusted root"), std::string::npos) << staging.output;
}

// Rewrites a bundle's mediaType or payload.
void rewrite_bundle(const fs::path& in, const fs::path& out, const std::function<void(nlohmann::json&)>& edit) {
  auto b = nlohmann::json::parse(mgtest::read_file(in));
  edit(b);
  mgtest::write_file(out, b.dump());
}

TEST(SignCli, OnlyKnownBundleMediaTypes) {
  Signer s;
  ASSERT_EQ(s.sign("--signature " + q(s.tmp / "m.sig")).exit_code, 0);
  for (std::string media : {"application/vnd.dev.sigstore.bundle.v0.4+json", "application/vnd.dev.sigstore.bundleX",
                            "application/vnd.dev.sigstore.bundle+json;version=0.3"}) {
    rewrite_bundle(s.tmp / "m.sig", s.tmp / "t.sig", [&](nlohmann::json& b) { b["mediaType"] = media; });
    auto r = s.verify(s.tmp / "t.sig");
    EXPECT_EQ(r.exit_code, 1) << media << r.output;
    EXPECT_NE(r.output.find("mediaType"), std::string::npos) << r.output;
  }
}

}  // namespace

}  // namespace sign_cli_test
