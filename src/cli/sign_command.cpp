#include <fstream>
#include <iostream>

#include "commands.h"
#include "sign/certificate_method.h"
#include "sign/key_method.h"
#include "sign/openssl_util.h"
#include "sign/statement.h"
#include "sign_options.h"

namespace modelgate::cli {

namespace {

struct SignArgs {
  std::string model;
  std::string signature = "model.sig";
  std::string private_key;
  std::string signing_certificate;
  std::vector<std::string> certificate_chain;
  HashingArgs hashing;
};

int write_bundle(const std::string& path, const std::string& json) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << json;
  if (!out.flush()) {
    std::cerr << "modelgate: cannot write the signature to " << path << '\n';
    return 2;
  }
  std::cout << "Signed " << path << '\n';
  return 0;
}

int run_sign(const SignArgs& a, bool with_certificate) {
  using namespace sign;
  auto key_pem = read_small_file(a.private_key, 1 << 20, "private key");
  if (!key_pem) return report_failure(key_pem.failure(), false);
  auto key = load_private_key_pem(*key_pem);
  if (!key) return report_failure(key.failure(), false);
  Cert leaf;
  std::vector<Cert> chain;
  if (with_certificate) {
    auto leaf_pem = read_small_file(a.signing_certificate, 1 << 20, "signing certificate");
    if (!leaf_pem) return report_failure(leaf_pem.failure(), false);
    auto leaves = parse_certificates_pem(*leaf_pem, "signing certificate");
    if (!leaves) return report_failure(leaves.failure(), false);
    leaf = std::move(leaves->front());
    for (const auto& path : a.certificate_chain) {
      auto pem = read_small_file(path, 1 << 20, "certificate chain");
      if (!pem) return report_failure(pem.failure(), false);
      auto certs = parse_certificates_pem(*pem, "certificate chain");
      if (!certs) return report_failure(certs.failure(), false);
      for (auto& c : *certs) chain.push_back(std::move(c));
    }
  }
  auto manifest = hash_model(a.model, hashing_config(a.hashing, a.signature));
  if (!manifest) return report_failure(manifest.failure(), false);
  std::string payload = statement_json(*manifest);
  auto bundle = with_certificate ? sign_with_certificate(payload, key->get(), leaf.get(), chain)
                                 : sign_with_key(payload, key->get());
  if (!bundle) return report_failure(bundle.failure(), false);
  return write_bundle(a.signature, *bundle);
}

CLI::App* add_method(CLI::App* parent, const char* name, const char* help, std::shared_ptr<SignArgs> a) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("model", a->model, "The model directory or file")->required();
  cmd->add_option("--signature", a->signature, "Where to write the signature bundle (default: model.sig)");
  cmd->add_option("--private-key", a->private_key, "PEM private key (ECDSA P-256, P-384 or P-521)")->required();
  add_ignore_options(cmd, a->hashing);
  add_serialization_options(cmd, a->hashing);
  return cmd;
}

}  // namespace

void add_sign_command(CLI::App& app, int& exit_code) {
  auto* sign_cmd = app.add_subcommand("sign", "Sign a model in the OpenSSF Model Signing (OMS) format");
  sign_cmd->require_subcommand(1);
  sign_cmd->footer("Keyless Sigstore signing needs the public Fulcio and Rekor services and is not offered; "
                   "see docs/signing.md.");

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

  // Present so that users of the reference get an explanation instead of "unknown command".
  auto* keyless = sign_cmd->add_subcommand("sigstore", "Not available: keyless signing needs Fulcio and Rekor online");
  keyless->allow_extras();
  keyless->callback([&exit_code] {
    std::cerr << "modelgate: sigstore signing is not offered: keyless signing needs the public Fulcio CA and Rekor "
                 "log online. Sign with `model_signing sign sigstore` and verify with `modelgate verify sigstore` "
                 "(docs/signing.md).\n";
    exit_code = 2;
  });
}

}  // namespace modelgate::cli
