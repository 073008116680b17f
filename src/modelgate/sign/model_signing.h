#pragma once
// The OMS workflows: hash a model with the reference's path rules, sign its manifest, and verify a
// model against a bundle (signature first, then every file).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "modelgate/limits.h"
#include "modelgate/scan.h"
#include "sign/bundle.h"
#include "sign/manifest.h"
#include "sign/parallel_hasher.h"
#include "sign/result.h"

namespace modelgate::sign {

struct HashingConfig {
  Serialization serialization;             // method, hash, shard size, symlinks (ignore_paths is filled in)
  std::vector<std::string> ignore_paths;   // as the user gave them: relative to the cwd or to the model
  bool ignore_git_paths = true;            // .git, .gitattributes, .github, .gitignore
  std::filesystem::path signature;         // excluded when it lies inside the model
  HashOptions hashing;
};

// The model-relative ignore list: git paths, the user's paths, the signature file; sorted, unique.
std::vector<std::string> resolve_ignore_paths(const std::filesystem::path& model, const HashingConfig& config);

// Hashes the model; the manifest records the resolved ignore list.
Expected<Manifest> hash_model(const std::filesystem::path& model, const HashingConfig& config);

// What checking a signature noted besides its verdict, told to the caller afterwards (the check may
// run in a confined worker): remarks, and every certificate met (where, SHA-256 fingerprint).
struct CheckEvents {
  std::vector<std::string> notes;
  std::vector<std::pair<std::string, std::string>> certificates;
};

// Checks the bundle's signature and returns nothing more; the caller picks the method.
using SignatureCheck = std::function<Check(const Bundle&, CheckEvents&)>;

// Everything verification parses of what the signer sent: the bundle, its signature (by `check`)
// and the manifest of the signed statement.
Expected<Manifest> read_signed_manifest(std::string_view bundle_text, const SignatureCheck& check, CheckEvents& events);

struct VerifyOptions {
  HashingConfig hashing;  // serialization parameters come from the signature; only the ignore options are used
  bool ignore_unsigned_files = false;
  bool allow_symlinks = false;  // follow symbolic links even when the signature did not record that it did
  // Where the bundle is read and its signature checked: here, or in a confined worker (docs/sandbox.md).
  SandboxMode sandbox = SandboxMode::off;
  std::uint64_t worker_timeout_ms = Limits{}.worker_timeout_ms;
  std::function<void(std::string_view note)> on_note;
  std::function<void(std::string_view where, std::string_view fingerprint)> on_certificate;
};

struct VerifyReport {
  std::string model_name;      // from the signature
  std::size_t resources = 0;   // resources checked
};

Expected<VerifyReport> verify_model(const std::filesystem::path& model, const std::filesystem::path& bundle_path,
                                    const VerifyOptions& options, const SignatureCheck& check_signature);

// Compares a signed manifest with the model's; the failure lists what is missing, extra or changed.
Check compare_manifests(const Manifest& expected, const Manifest& actual, bool ignore_unsigned_files);

}  // namespace modelgate::sign
