#include "signature_check.h"

namespace modelgate::cli {

void add_signature_material_options(CLI::App* cmd, SignatureMaterial& m) {
  cmd->add_option("--public-key", m.public_key, "Verify the signature with this PEM or DER public key");
  cmd->add_option("--certificate-chain", m.certificate_chain,
                  "Verify the signature with these PEM trust anchors and intermediates (repeatable)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--identity", m.identity, "Verify a keyless Sigstore signature: the expected signer identity");
  cmd->add_option("--identity-provider", m.identity_provider, "The expected OIDC issuer URL (with --identity)");
  cmd->add_option("--trusted-root", m.trusted_root, "Sigstore trusted_root.json (default: the shipped public-good root)");
  cmd->add_option("--trust-config", m.trust_config, "Sigstore client trust configuration: its trustedRoot is used, offline");
}

ValueOr<SignatureCheckOutcome, Error> check_signature(const SignatureMaterial& m, const std::string& model,
                                                      const std::string& signature, SandboxMode sandbox) {
  int methods = !m.public_key.empty() + !m.certificate_chain.empty() + !m.identity.empty();
  if (methods != 1) return Error{0, "give one of --public-key, --certificate-chain or --identity", {}, {}};
  if (!m.identity.empty() && m.identity_provider.empty()) return Error{0, "--identity needs --identity-provider", {}, {}};
  VerifyRequest request;
  request.model = model;
  request.signature = signature;
  request.sandbox = sandbox;
  SignatureCheckOutcome out;
  auto first_certificate = std::make_shared<std::string>();
  if (!m.public_key.empty()) {
    request.method = KeyVerification{m.public_key};
    out.method = "key";
    out.identity = "public key " + m.public_key;
  } else if (!m.certificate_chain.empty()) {
    request.method = CertificateVerification{{m.certificate_chain.begin(), m.certificate_chain.end()}};
    request.on_certificate = [first_certificate](std::string_view, std::string_view fingerprint) {
      if (first_certificate->empty()) *first_certificate = std::string(fingerprint);
    };
    out.method = "certificate";
  } else {
    request.method = SigstoreVerification{m.identity, m.identity_provider, m.trusted_root, m.trust_config};
    out.method = "sigstore";
    out.identity = m.identity + " (issuer " + m.identity_provider + ")";
  }
  auto verified = verify_model(request);
  if (!verified && !is_verification_failure(verified.error())) return verified.error();
  out.verified = verified.ok();
  if (out.method == "certificate") out.identity = "certificate sha256:" + *first_certificate;
  if (!out.verified) {
    out.failure = verified.error().message();
    out.identity.clear();
  }
  return out;
}

}  // namespace modelgate::cli
