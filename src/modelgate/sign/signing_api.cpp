// The public signing API (modelgate/signing.h) over the OMS workflows in this folder.
#include "modelgate/signing.h"

#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "sign/certificate_method.h"
#include "sign/embedded_trusted_root.h"
#include "sign/key_method.h"
#include "sign/model_signing.h"
#include "sign/openssl_util.h"
#include "sign/signature_file.h"
#include "sign/sigstore_verifier.h"
#include "sign/statement.h"
#include "sign/trusted_root.h"

namespace modelgate {

namespace {

constexpr std::size_t kMaxKeyFile = 1 << 20;
constexpr std::size_t kMaxTrustFile = 16 << 20;

sign::HashingConfig hashing_config(const ModelHashing& h, const std::filesystem::path& signature) {
  sign::HashingConfig c;
  c.serialization.method = h.serialization == ModelHashing::Serialization::shards ? sign::SerializationMethod::shards
                                                                                    : sign::SerializationMethod::files;
  c.serialization.shard_size = h.shard_size;
  c.serialization.hash = h.digest == ModelHashing::Digest::blake2b ? sign::HashAlgorithm::blake2b : sign::HashAlgorithm::sha256;
  c.serialization.allow_symlinks = h.allow_symlinks;
  c.ignore_paths = h.ignore_paths;
  c.ignore_git_paths = h.ignore_git_paths;
  c.signature = signature;
  c.hashing.threads = h.threads;
  c.hashing.show_progress = h.show_progress;
  return c;
}

ModelDigest model_digest(const sign::Manifest& manifest) {
  ModelDigest d;
  d.model_name = manifest.model_name;
  for (const auto& item : manifest.items)
    d.entries.push_back({item.name(), std::string(sign::hash_name(item.algorithm)), sign::hex_encode(item.digest)});
  d.root_sha256 = sign::hex_encode(manifest.root_digest());
  d.statement = sign::statement_json(manifest);
  return d;
}

Expected<std::vector<sign::Cert>> read_certificates(const std::filesystem::path& path, std::string_view what) {
  auto pem = sign::read_small_file(path, kMaxKeyFile, what);
  if (!pem) return pem.error();
  return sign::parse_certificates_pem(*pem, what);
}

// The trusted root for keyless signatures: the shipped public-good root, a trusted_root.json, or the
// trustedRoot inside a client trust configuration (whose service URLs are never contacted).
Expected<std::string> trusted_root_text(const SigstoreVerification& v) {
  if (!v.trusted_root.empty() && !v.trust_config.empty())
    return sign::usage_failure("trusted root", "give a trusted root or a trust configuration, not both");
  if (!v.trust_config.empty()) {
    auto file = sign::read_small_file(v.trust_config, kMaxTrustFile, "trust config");
    if (!file) return file.error();
    auto config = nlohmann::json::parse(*file, nullptr, false);
    if (config.is_discarded() || !config.is_object() || !config.contains("trustedRoot") || !config["trustedRoot"].is_object())
      return sign::usage_failure("trust config",
                                 v.trust_config.string() + " is not a Sigstore client trust configuration (no trustedRoot)");
    return json_text(config["trustedRoot"]);
  }
  if (!v.trusted_root.empty()) return sign::read_small_file(v.trusted_root, kMaxTrustFile, "trusted root");
  return std::string(sign::embedded_trusted_root());
}

Expected<Verification> run_verification(const VerifyRequest& r, const sign::SignatureCheck& check) {
  sign::VerifyOptions options;
  options.hashing = hashing_config(r.hashing, r.signature);
  options.ignore_unsigned_files = r.ignore_unsigned_files;
  options.allow_symlinks = r.hashing.allow_symlinks;
  options.sandbox = r.sandbox;
  options.worker_timeout_ms = r.worker_timeout_ms;
  options.on_note = r.on_note;
  options.on_certificate = r.on_certificate;
  auto report = sign::verify_model(r.model, r.signature, options, check);
  if (!report) return report.error();
  return Verification{report->model_name, report->resources};
}

Expected<Verification> verify_by(const VerifyRequest& r, const KeyVerification& method) {
  auto bytes = sign::read_small_file(method.public_key, kMaxKeyFile, "public key");
  if (!bytes) return bytes.error();
  auto key = sign::load_public_key(*bytes);
  if (!key) return key.error();
  EVP_PKEY* k = key->get();
  return run_verification(r, [k](const sign::Bundle& b, sign::CheckEvents& events) {
    if (b.material != sign::MaterialKind::public_key)
      events.notes.emplace_back("the bundle carries a certificate chain, which key verification does not check (as in "
                                "the reference); verify with the certificate method to check it");
    return sign::verify_with_key(b, k);
  });
}

Expected<Verification> verify_by(const VerifyRequest& r, const CertificateVerification& method) {
  std::vector<sign::Cert> anchors;
  for (const auto& path : method.certificate_chain) {
    auto certs = read_certificates(path, "certificate chain");
    if (!certs) return certs.error();
    for (auto& c : *certs) {
      if (r.on_certificate) r.on_certificate("  init  ", sign::certificate_fingerprint(sign::certificate_der(c.get())));
      anchors.push_back(std::move(c));
    }
  }
  // No anchors given: the system's CA bundle, read here (a confined check cannot open files).
  if (method.certificate_chain.empty()) {
    auto certs = read_certificates(sign::system_ca_bundle(), "system CA bundle");
    if (!certs) return certs.error();
    for (auto& c : *certs) anchors.push_back(std::move(c));
  }
  return run_verification(r, [&anchors](const sign::Bundle& b, sign::CheckEvents& events) {
    for (const auto& der : b.certificates) events.certificates.emplace_back(" verify ", sign::certificate_fingerprint(der));
    return sign::verify_with_certificate(b, anchors);
  });
}

Expected<Verification> verify_by(const VerifyRequest& r, const SigstoreVerification& method) {
  auto text = trusted_root_text(method);
  if (!text) return text.error();
  auto root = sign::parse_trusted_root(*text);
  if (!root) return root.error();
  sign::SigstoreIdentity who{method.identity, method.identity_provider};
  const sign::TrustedRoot& trusted = *root;
  return run_verification(r, [&trusted, &who](const sign::Bundle& b, sign::CheckEvents&) {
    return sign::verify_with_sigstore(b, trusted, who);
  });
}

}  // namespace

Expected<ModelDigest> digest_model(const std::filesystem::path& model, const ModelHashing& hashing,
                                   const std::filesystem::path& signature) {
  auto manifest = sign::hash_model(model, hashing_config(hashing, signature));
  if (!manifest) return manifest.error();
  return model_digest(*manifest);
}

Expected<ModelDigest> sign_model(const SignRequest& r) {
  const bool with_certificate = std::holds_alternative<CertificateSigning>(r.method);
  const auto& key_path = with_certificate ? std::get<CertificateSigning>(r.method).private_key
                                          : std::get<KeySigning>(r.method).private_key;
  const auto& password = with_certificate ? std::get<CertificateSigning>(r.method).password
                                          : std::get<KeySigning>(r.method).password;
  auto key_pem = sign::read_small_file(key_path, kMaxKeyFile, "private key");
  if (!key_pem) return key_pem.error();
  auto key = sign::load_private_key_pem(*key_pem, password);
  if (!key) return key.error();
  sign::SignatureTarget target{r.signature, r.model, {key_path}, r.force};
  sign::Cert leaf;
  std::vector<sign::Cert> chain;
  if (with_certificate) {
    const auto& method = std::get<CertificateSigning>(r.method);
    auto leaves = read_certificates(method.signing_certificate, "signing certificate");
    if (!leaves) return leaves.error();
    leaf = std::move(leaves->front());
    target.inputs.push_back(method.signing_certificate);
    for (const auto& path : method.certificate_chain) {
      auto certs = read_certificates(path, "certificate chain");
      if (!certs) return certs.error();
      for (auto& c : *certs) chain.push_back(std::move(c));
      target.inputs.push_back(path);
    }
  }
  if (auto checked = sign::check_signature_target(target); !checked) return checked.error();
  auto manifest = sign::hash_model(r.model, hashing_config(r.hashing, r.signature));
  if (!manifest) return manifest.error();
  std::string payload = sign::statement_json(*manifest);
  auto bundle = with_certificate ? sign::sign_with_certificate(payload, key->get(), leaf.get(), chain)
                                 : sign::sign_with_key(payload, key->get());
  if (!bundle) return bundle.error();
  if (auto written = sign::write_signature(target, *bundle); !written) return written.error();
  return model_digest(*manifest);
}

Expected<Verification> verify_model(const VerifyRequest& request) {
  return std::visit([&request](const auto& method) { return verify_by(request, method); }, request.method);
}

bool is_verification_failure(const Error& error) { return error.rule == sign::kVerificationFailed; }

}  // namespace modelgate
