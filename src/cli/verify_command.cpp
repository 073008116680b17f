#include <iostream>

#include "commands.h"
#include "core/json_text.h"
#include "core/escaped_text.h"
#include "sign/certificate_method.h"
#include "sign/embedded_trusted_root.h"
#include "sign/key_method.h"
#include "sign/openssl_util.h"
#include "sign/sigstore_verifier.h"
#include "sign/trusted_root.h"
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
};

int run_verify(const VerifyArgs& a, const sign::SignatureCheck& check) {
  sign::VerifyOptions options;
  options.hashing = hashing_config(a.hashing, a.signature);
  options.ignore_unsigned_files = a.ignore_unsigned_files;
  options.allow_symlinks = a.hashing.allow_symlinks;
  auto report = sign::verify_model(a.model, a.signature, options, check);
  if (!report) return report_failure(report.failure(), true);
  std::cout << "Verification succeeded: " << report->resources << " resources of '"
            << escape_for_terminal(report->model_name) << "' match the signature\n";
  return 0;
}

CLI::App* add_method(CLI::App* parent, const char* name, const char* help, std::shared_ptr<VerifyArgs> a) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("model", a->model, "The model directory or file")->required();
  cmd->add_option("--signature", a->signature, "The signature bundle to check")->required();
  cmd->add_flag("--ignore-unsigned-files,!--no-ignore-unsigned-files", a->ignore_unsigned_files,
                "Accept files in the model that the signature does not list (default: no)");
  add_ignore_options(cmd, a->hashing);
  return cmd;
}

// --log-fingerprints, in the reference's format: where the certificate came from, then its SHA-256.
void log_fingerprint(const char* where, std::span<const std::uint8_t> der) {
  std::cerr << "[" << where << "] sha256 Fingerprint: " << sign::certificate_fingerprint(der) << '\n';
}

// The trusted root to verify keyless signatures with: the shipped public-good root, a trusted_root.json,
// or the trustedRoot inside a client trust configuration (whose service URLs are never contacted).
sign::Result<std::string> trusted_root_text(const VerifyArgs& a) {
  using sign::usage_failure;
  if (!a.trusted_root.empty() && !a.trust_config.empty())
    return usage_failure("trusted root", "give --trusted-root or --trust-config, not both");
  if (!a.trust_config.empty()) {
    auto file = sign::read_small_file(a.trust_config, 16 << 20, "trust config");
    if (!file) return file.failure();
    auto config = nlohmann::json::parse(*file, nullptr, false);
    if (config.is_discarded() || !config.is_object() || !config.contains("trustedRoot") || !config["trustedRoot"].is_object())
      return usage_failure("trust config", a.trust_config + " is not a Sigstore client trust configuration (no trustedRoot)");
    return json_text(config["trustedRoot"]);
  }
  if (!a.trusted_root.empty()) return sign::read_small_file(a.trusted_root, 16 << 20, "trusted root");
  if (a.use_staging)
    return usage_failure("trusted root", "--use-staging needs Sigstore's staging trusted root, which modelgate does not "
                                         "ship and cannot fetch (it works offline); pass it with --trusted-root or "
                                         "--trust-config");
  return std::string(sign::embedded_trusted_root());
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  using namespace sign;
  auto* verify = app.add_subcommand("verify", "Verify a model against an OpenSSF Model Signing (OMS) signature");
  verify->require_subcommand(1);
  verify->footer("Without a method, `sigstore` is meant, as in the reference.");

  auto key_args = std::make_shared<VerifyArgs>();
  auto* key = add_method(verify, "key", "Verify a signature made with an ECDSA key", key_args);
  key->add_option("--public-key", key_args->public_key, "PEM or DER public key")->required();
  key->callback([key_args, &exit_code] {
    auto bytes = read_small_file(key_args->public_key, 1 << 20, "public key");
    if (!bytes) return void(exit_code = report_failure(bytes.failure(), true));
    auto pub = load_public_key(*bytes);
    if (!pub) return void(exit_code = report_failure(pub.failure(), true));
    EVP_PKEY* k = pub->get();
    exit_code = run_verify(*key_args, [k](const Bundle& b) {
      if (b.material != MaterialKind::public_key)
        std::cerr << "modelgate: note: the bundle carries a certificate chain, which `verify key` does not check "
                     "(as in the reference); use `verify certificate` to check it\n";
      return verify_with_key(b, k);
    });
  });

  auto cert_args = std::make_shared<VerifyArgs>();
  auto* cert = add_method(verify, "certificate", "Verify a signature made with a certificate chain", cert_args);
  cert->add_option("--certificate-chain", cert_args->certificate_chain,
                   "PEM trust anchors and intermediates (repeatable; default: the system's CA certificates)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cert->add_flag("--log-fingerprints", cert_args->log_fingerprints, "Print the SHA-256 fingerprint of every certificate");
  cert->callback([cert_args, &exit_code] {
    std::vector<Cert> anchors;
    for (const auto& path : cert_args->certificate_chain) {
      auto pem = read_small_file(path, 1 << 20, "certificate chain");
      if (!pem) return void(exit_code = report_failure(pem.failure(), true));
      auto certs = parse_certificates_pem(*pem, "certificate chain");
      if (!certs) return void(exit_code = report_failure(certs.failure(), true));
      for (auto& c : *certs) {
        if (cert_args->log_fingerprints) log_fingerprint("  init  ", certificate_der(c.get()));
        anchors.push_back(std::move(c));
      }
    }
    bool log = cert_args->log_fingerprints;
    exit_code = run_verify(*cert_args, [&anchors, log](const Bundle& b) {
      if (log)
        for (const auto& der : b.certificates) log_fingerprint(" verify ", der);
      return verify_with_certificate(b, anchors);
    });
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
    auto text = trusted_root_text(*ss_args);
    if (!text) return void(exit_code = report_failure(text.failure(), true));
    auto root = parse_trusted_root(*text);
    if (!root) return void(exit_code = report_failure(root.failure(), true));
    SigstoreIdentity who{ss_args->identity, ss_args->identity_provider};
    const TrustedRoot& r = *root;
    exit_code = run_verify(*ss_args, [&r, &who](const Bundle& b) { return verify_with_sigstore(b, r, who); });
  });
}

}  // namespace modelgate::cli
