#pragma once
// How `bom` checks a signature: the key, the certificate chain, or the Sigstore identity with its
// trusted root, as `verify` takes them, and who signed as that method establishes it.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "modelgate/signing.h"

namespace modelgate::cli {

struct SignatureMaterial {
  std::string public_key;
  std::vector<std::string> certificate_chain;
  std::string identity, identity_provider, trusted_root, trust_config;

  bool given() const { return !public_key.empty() || !certificate_chain.empty() || !identity.empty(); }
};

// --public-key | --certificate-chain... | --identity + --identity-provider [--trusted-root | --trust-config].
void add_signature_material_options(CLI::App* cmd, SignatureMaterial& m);

struct SignatureCheckOutcome {
  bool verified = false;
  std::string method;    // key, certificate, sigstore
  std::string identity;  // who signed (when verified)
  std::string failure;   // why not (when not verified)
};

// Verifies `signature` of `model` offline with the material (the library's verify_model, as
// `verify` does). A failed verification is an outcome; a usage failure (several methods, an
// unreadable key) is the error.
// `sandbox`: where the bundle is parsed.
ValueOr<SignatureCheckOutcome, Error> check_signature(const SignatureMaterial& m, const std::string& model,
                                                      const std::string& signature, SandboxMode sandbox);

}  // namespace modelgate::cli
