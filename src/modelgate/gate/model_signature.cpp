#include "gate/model_signature.h"

#include "core/regular_file.h"
#include "sign/certificate_method.h"
#include "sign/embedded_trusted_root.h"
#include "sign/key_method.h"
#include "sign/model_signing.h"
#include "sign/openssl_util.h"
#include "sign/sigstore_verifier.h"
#include "sign/trusted_root.h"

namespace modelgate {

namespace {

struct Method {
  std::string name;
  sign::SignatureCheck check;
};

// The methods the policy configures, loaded; what cannot be loaded goes to `errors`.
std::vector<Method> load_methods(const SignatureRule& rule, std::vector<std::string>& errors,
                                 std::vector<sign::PKey>& keys, std::vector<sign::Cert>& anchors,
                                 std::optional<sign::TrustedRoot>& root) {
  std::vector<Method> methods;
  for (const auto& path : rule.keys) {
    auto bytes = sign::read_small_file(path, 1 << 20, "public key");
    auto key = bytes ? sign::load_public_key(*bytes) : Expected<sign::PKey>(bytes.error());
    if (!key) {
      errors.push_back("policy signature key " + path.string() + ": " + key.error().message());
      continue;
    }
    keys.push_back(std::move(*key));
    EVP_PKEY* k = keys.back().get();
    methods.push_back({"key " + path.string(), [k](const sign::Bundle& b, sign::CheckEvents&) { return sign::verify_with_key(b, k); }});
  }
  for (const auto& path : rule.certificate_roots) {
    auto pem = sign::read_small_file(path, 1 << 20, "certificate root");
    auto certs = pem ? sign::parse_certificates_pem(*pem, "certificate root")
                     : Expected<std::vector<sign::Cert>>(pem.error());
    if (!certs) {
      errors.push_back("policy certificate root " + path.string() + ": " + certs.error().message());
      continue;
    }
    for (auto& c : *certs) anchors.push_back(std::move(c));
  }
  if (!anchors.empty())
    methods.push_back({"certificate roots", [&anchors](const sign::Bundle& b, sign::CheckEvents&) { return sign::verify_with_certificate(b, anchors); }});
  if (!rule.identities.empty()) {
    auto text = rule.trusted_root.empty() ? Expected<std::string>(std::string(sign::embedded_trusted_root()))
                                          : sign::read_small_file(rule.trusted_root, 16 << 20, "trusted root");
    auto parsed = text ? sign::parse_trusted_root(*text) : Expected<sign::TrustedRoot>(text.error());
    if (!parsed) {
      errors.push_back("policy trusted root: " + parsed.error().message());
      return methods;
    }
    root = std::move(*parsed);
    for (const auto& id : rule.identities) {
      sign::SigstoreIdentity who;
      who.identity = id.subject;
      who.identity_provider = id.issuer;
      if (!id.subject_regex.empty()) who.identity_pattern = std::regex(id.subject_regex);
      std::string name = "sigstore " + (id.subject.empty() ? "/" + id.subject_regex + "/" : id.subject) + " from " + id.issuer;
      const sign::TrustedRoot& r = *root;
      methods.push_back({name, [&r, who](const sign::Bundle& b, sign::CheckEvents&) { return sign::verify_with_sigstore(b, r, who); }});
    }
  }
  return methods;
}

}  // namespace

SignatureOutcome check_model_signature(const std::filesystem::path& model, const std::filesystem::path& bundle,
                                       const SignatureRule& rule, const SignatureReading& reading,
                                       std::vector<std::string>& errors) {
  SignatureOutcome out;
  out.bundle = bundle.string();
  // The material the policy names is loaded whether or not a bundle is there: a key that cannot be
  // read is an error of the policy, never silently unused.
  std::vector<sign::PKey> keys;
  std::vector<sign::Cert> anchors;
  std::optional<sign::TrustedRoot> root;
  std::size_t errors_before = errors.size();
  std::vector<Method> methods = load_methods(rule, errors, keys, anchors, root);
  if (errors.size() != errors_before) {
    out.state = SignatureOutcome::State::failed;
    out.detail = "the policy's verification material could not be loaded";
    return out;
  }
  if (bundle.empty()) {
    out.detail = "no --signature and no model.sig in the model";
    return out;
  }
  // A bundle named with --signature that cannot be read (missing, a FIFO) is an I/O error, as a
  // missing PATH is, whatever the policy requires.
  if (auto readable = open_regular_file(bundle); !readable) {
    errors.push_back("signature " + readable.error().message());
    out.state = SignatureOutcome::State::failed;
    out.detail = readable.error().message();
    return out;
  }
  if (methods.empty()) {
    out.detail = "a bundle is present but the policy names no key, certificate root or identity to verify it with";
    return out;
  }
  sign::VerifyOptions options;
  options.hashing.signature = bundle;
  options.sandbox = reading.sandbox;
  options.worker_timeout_ms = reading.worker_timeout_ms;
  std::vector<std::string> failures;
  for (const auto& m : methods) {
    auto verified = sign::verify_model(model, bundle, options, m.check);
    if (verified) {
      out.state = SignatureOutcome::State::verified;
      out.detail = m.name;
      return out;
    }
    failures.push_back(m.name + ": " + verified.error().message());
  }
  out.state = SignatureOutcome::State::failed;
  for (const auto& f : failures) out.detail += (out.detail.empty() ? "" : "; ") + f;
  return out;
}

}  // namespace modelgate
