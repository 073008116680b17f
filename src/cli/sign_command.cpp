#include <iostream>

#include "commands.h"
#include "sign_options.h"

namespace modelgate::cli {

namespace {

struct SignArgs {
  std::string model;
  std::string signature = "model.sig";
  std::string private_key;
  std::optional<std::string> password;
  std::string signing_certificate;
  std::vector<std::string> certificate_chain;
  bool force = false;
  HashingArgs hashing;
};

int run_sign(const SignArgs& a, bool with_certificate) {
  SignRequest request;
  request.model = a.model;
  request.signature = a.signature;
  request.force = a.force;
  request.hashing = model_hashing(a.hashing);
  if (with_certificate)
    request.method = CertificateSigning{a.private_key, a.password, a.signing_certificate,
                                        {a.certificate_chain.begin(), a.certificate_chain.end()}};
  else
    request.method = KeySigning{a.private_key, a.password};
  auto signed_model = sign_model(request);
  if (!signed_model) return report_failure(signed_model.error(), false);
  std::cout << "Signing succeeded: " << escape_for_terminal(a.signature) << '\n';
  return 0;
}

CLI::App* add_method(CLI::App* parent, const char* name, const char* help, std::shared_ptr<SignArgs> a) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("model", a->model, "The model directory or file")->required();
  cmd->add_option("--signature", a->signature, "Where to write the signature bundle (default: model.sig)");
  cmd->add_flag("--force", a->force, "Replace an existing signature (never a file of the model or an input)");
  cmd->add_option("--private-key", a->private_key, "PEM private key (ECDSA P-256, P-384 or P-521)")->required();
  cmd->add_option("--password", a->password, "Password of an encrypted private key (there is never a prompt)");
  add_ignore_options(cmd, a->hashing);
  add_serialization_options(cmd, a->hashing);
  return cmd;
}

// A method the reference offers that modelgate does not: accepted with all its options, and refused
// with the reason instead of "unknown command".
void add_unavailable_method(CLI::App* parent, const char* name, const char* help, std::string why, int& exit_code) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->allow_extras();
  cmd->callback([why = std::move(why), &exit_code] {
    std::cerr << "modelgate: " << why << '\n';
    exit_code = 2;
  });
}

}  // namespace

void add_sign_command(CLI::App& app, int& exit_code) {
  auto* sign_cmd = app.add_subcommand("sign", "Sign a model in the OpenSSF Model Signing (OMS) format");
  sign_cmd->require_subcommand(1);
  sign_cmd->footer("Without a method, `sigstore` is meant, as in the reference; keyless Sigstore signing needs the "
                   "public Fulcio and Rekor services and is not offered (docs/signing.md).");

  auto key_args = std::make_shared<SignArgs>();
  auto* key = add_method(sign_cmd, "key", "Sign with an ECDSA private key", key_args);
  key->callback([key_args, &exit_code] { exit_code = run_sign(*key_args, false); });

  auto cert_args = std::make_shared<SignArgs>();
  auto* cert = add_method(sign_cmd, "certificate", "Sign with a private key and its X.509 certificate chain", cert_args);
  cert->add_option("--signing-certificate", cert_args->signing_certificate, "PEM certificate of the signing key")
      ->required();
  cert->add_option("--certificate-chain", cert_args->certificate_chain, "PEM certificates of the issuing chain (repeatable)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cert->callback([cert_args, &exit_code] { exit_code = run_sign(*cert_args, true); });

  add_unavailable_method(sign_cmd, "sigstore", "Not available: keyless signing needs Fulcio and Rekor online",
                         "sigstore signing is not offered: keyless signing needs the public Fulcio CA and Rekor log "
                         "online (an OIDC-bound certificate and an inclusion proof), and modelgate works offline. Sign "
                         "with `model_signing sign sigstore` and verify with `modelgate verify sigstore` "
                         "(docs/signing.md).",
                         exit_code);
  const char* pkcs11_why =
      "PKCS#11 signing is not offered: it needs an OpenSSL 3 PKCS#11 provider, and Debian 12 packages none "
      "(pkcs11-provider is not in bookworm; libengine-pkcs11-openssl is an OpenSSL ENGINE, an interface OpenSSL 3 "
      "deprecates). Sign with `model_signing sign pkcs11-key` and verify with `modelgate verify key` "
      "(docs/signing.md).";
  add_unavailable_method(sign_cmd, "pkcs11-key", "Not available: no OpenSSL 3 PKCS#11 provider on Debian 12", pkcs11_why,
                         exit_code);
  add_unavailable_method(sign_cmd, "pkcs11-certificate", "Not available: no OpenSSL 3 PKCS#11 provider on Debian 12",
                         pkcs11_why, exit_code);
}

}  // namespace modelgate::cli
