#include <iostream>

#include "commands.h"
#include "scan_request.h"
#include "sign_options.h"

namespace modelgate::cli {

namespace {

struct VerifyArgs {
  std::string model;
  std::string signature;
  std::string public_key;
  std::vector<std::string> certificate_chain;
  bool log_fingerprints = false;
  std::string identity, identity_provider, trusted_root, trust_config;
  bool use_staging = false;
  bool ignore_unsigned_files = false;
  HashingArgs hashing;
  std::string sandbox;  // empty: default_sandbox_mode()
};

int run_verify(const VerifyArgs& a, VerifyRequest request) {
  request.model = a.model;
  request.signature = a.signature;
  request.ignore_unsigned_files = a.ignore_unsigned_files;
  request.hashing = model_hashing(a.hashing);
  request.sandbox = sandbox_mode_option(a.sandbox);
  request.on_note = [](std::string_view note) { std::cerr << "modelgate: note: " << note << '\n'; };
  if (a.log_fingerprints)
    request.on_certificate = [](std::string_view where, std::string_view fingerprint) {
      std::cerr << "[" << where << "] sha256 Fingerprint: " << fingerprint << '\n';
    };
  auto verified = verify_model(request);
  if (!verified) return report_failure(verified.error(), true);
  std::cout << "Verification succeeded: " << verified->resources << " resources of '"
            << escape_for_terminal(verified->model_name) << "' match the signature\n";
  return 0;
}

CLI::App* add_method(CLI::App* parent, const char* name, const char* help, std::shared_ptr<VerifyArgs> a) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("model", a->model, "The model directory or file")->required();
  cmd->add_option("--signature", a->signature, "The signature bundle to check")->required();
  cmd->add_flag("--ignore-unsigned-files,!--no-ignore-unsigned-files", a->ignore_unsigned_files,
                "Accept files in the model that the signature does not list (default: no)");
  add_ignore_options(cmd, a->hashing);
  add_sandbox_option(cmd, a->sandbox);
  return cmd;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  auto* verify = app.add_subcommand("verify", "Verify a model against an OpenSSF Model Signing (OMS) signature");
  verify->require_subcommand(1);
  verify->footer("Without a method, `sigstore` is meant, as in the reference.");

  auto key_args = std::make_shared<VerifyArgs>();
  auto* key = add_method(verify, "key", "Verify a signature made with an ECDSA key", key_args);
  key->add_option("--public-key", key_args->public_key, "PEM or DER public key")->required();
  key->callback([key_args, &exit_code] {
    VerifyRequest request;
    request.method = KeyVerification{key_args->public_key};
    exit_code = run_verify(*key_args, std::move(request));
  });

  auto cert_args = std::make_shared<VerifyArgs>();
  auto* cert = add_method(verify, "certificate", "Verify a signature made with a certificate chain", cert_args);
  cert->add_option("--certificate-chain", cert_args->certificate_chain,
                   "PEM trust anchors and intermediates (repeatable; default: the system's CA certificates)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cert->add_flag("--log-fingerprints", cert_args->log_fingerprints, "Print the SHA-256 fingerprint of every certificate");
  cert->callback([cert_args, &exit_code] {
    VerifyRequest request;
    request.method = CertificateVerification{{cert_args->certificate_chain.begin(), cert_args->certificate_chain.end()}};
    exit_code = run_verify(*cert_args, std::move(request));
  });

  auto ss_args = std::make_shared<VerifyArgs>();
  auto* ss = add_method(verify, "sigstore", "Verify a keyless Sigstore signature offline", ss_args);
  ss->add_option("--identity", ss_args->identity, "Expected signer identity (certificate SAN: email or URI)")->required();
  ss->add_option("--identity-provider", ss_args->identity_provider, "Expected OIDC issuer URL")->required();
  ss->add_option("--trusted-root", ss_args->trusted_root,
                 "Sigstore trusted_root.json (default: the shipped public-good root)");
  ss->add_option("--trust-config", ss_args->trust_config,
                 "Sigstore client trust configuration: its trustedRoot is used, offline");
  ss->add_flag("--use-staging", ss_args->use_staging,
               "Sigstore's staging instance: needs its trusted root through --trusted-root or --trust-config (offline)");
  ss->callback([ss_args, &exit_code] {
    const VerifyArgs& a = *ss_args;
    if (!a.trusted_root.empty() && !a.trust_config.empty())
      return void(exit_code = report_usage_error("trusted root", "give --trusted-root or --trust-config, not both"));
    if (a.use_staging && a.trusted_root.empty() && a.trust_config.empty())
      return void(exit_code = report_usage_error(
                      "trusted root",
                      "--use-staging needs Sigstore's staging trusted root, which modelgate does not ship and cannot "
                      "fetch (it works offline); pass it with --trusted-root or --trust-config"));
    VerifyRequest request;
    request.method = SigstoreVerification{a.identity, a.identity_provider, a.trusted_root, a.trust_config};
    exit_code = run_verify(a, std::move(request));
  });
}

}  // namespace modelgate::cli
