#pragma once
// Signing, verifying and digesting models in the OpenSSF Model Signing (OMS) format, compatible
// with the reference `model_signing` (docs/signing.md).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "modelgate/error.h"
#include "modelgate/expected.h"
#include "modelgate/scan.h"

namespace modelgate {

// A signing or verification error's origin is the check that failed ("signature", "manifest",
// "certificate chain", ...), its reason what exactly was wrong. A failed verification (the model or
// the signature is not what it should be: exit 1 in the CLI) is kept apart from a usage or tool
// error (a missing key, an unreadable file: exit 2) by the error's rule: MG-GATE-SIGNATURE for the
// first, MG-GATE-ERROR for the second.
bool is_verification_failure(const Error& error);

// How a model is hashed, with the reference's names and defaults.
struct ModelHashing {
  enum class Serialization { files, shards } serialization = Serialization::files;
  enum class Digest { sha256, blake2b } digest = Digest::sha256;
  std::uint64_t shard_size = 1'000'000'000;
  std::vector<std::string> ignore_paths;  // relative to the working directory, as the reference reads them
  bool ignore_git_paths = true;           // .git, .gitattributes, .github, .gitignore at the model root
  bool allow_symlinks = false;            // follow links to files instead of failing
  unsigned threads = 0;                   // 0: one per core
  bool show_progress = false;             // bytes hashed, on stderr
};

struct ManifestEntry {
  std::string name;       // model-relative path, or "path:start:end" for a shard
  std::string algorithm;  // "sha256" or "blake2b"
  std::string digest;     // lowercase hex
};

struct ModelDigest {
  std::string model_name;
  std::vector<ManifestEntry> entries;  // canonical order
  std::string root_sha256;             // lowercase hex: the in-toto subject digest
  std::string statement;               // the in-toto statement JSON that `sign_model` signs
};

// The model's OMS manifest, without signing. `signature` (when given) is left out of the hashing.
ValueOr<ModelDigest, Error> digest_model(const std::filesystem::path& model, const ModelHashing& hashing,
                                         const std::filesystem::path& signature = {});

struct KeySigning {
  std::filesystem::path private_key;  // PEM, ECDSA P-256/P-384/P-521
  std::optional<std::string> password;
};

struct CertificateSigning {
  std::filesystem::path private_key;
  std::optional<std::string> password;
  std::filesystem::path signing_certificate;               // PEM
  std::vector<std::filesystem::path> certificate_chain;  // PEM, issuing chain
};

struct SignRequest {
  std::filesystem::path model;
  std::filesystem::path signature = "model.sig";  // never written over a model file or an input
  bool force = false;                               // replace an existing signature
  ModelHashing hashing;
  std::variant<KeySigning, CertificateSigning> method;
};

// Hashes, signs and writes the bundle atomically.
ValueOr<ModelDigest, Error> sign_model(const SignRequest& request);

struct KeyVerification {
  std::filesystem::path public_key;  // PEM or DER
};

struct CertificateVerification {
  std::vector<std::filesystem::path> certificate_chain;  // PEM anchors; empty: the system's CAs
};

struct SigstoreVerification {
  std::string identity;           // expected signer (certificate SAN: email or URI)
  std::string identity_provider;  // expected OIDC issuer
  std::filesystem::path trusted_root;  // trusted_root.json; empty: the shipped public-good root
  std::filesystem::path trust_config;  // or a client trust configuration (its trustedRoot, offline)
};

struct VerifyRequest {
  std::filesystem::path model;
  std::filesystem::path signature;
  bool ignore_unsigned_files = false;
  ModelHashing hashing;  // the ignore options, links, threads and progress; the rest comes from the signature
  std::variant<KeyVerification, CertificateVerification, SigstoreVerification> method;
  // Where the bundle is parsed and its signature checked (docs/sandbox.md); the command line's
  // default is default_sandbox_mode(). The model's files are hashed in this process either way.
  SandboxMode sandbox = SandboxMode::off;
  std::uint64_t worker_timeout_ms = 600'000;
  // Optional observers: remarks a careful user should see, and every certificate met (where it came
  // from and its SHA-256 fingerprint, as the reference's --log-fingerprints prints them).
  std::function<void(std::string_view note)> on_note;
  std::function<void(std::string_view where, std::string_view fingerprint)> on_certificate;
};

struct Verification {
  std::string model_name;     // from the signature
  std::size_t resources = 0;  // files or shards checked
};

ValueOr<Verification, Error> verify_model(const VerifyRequest& request);

}  // namespace modelgate
