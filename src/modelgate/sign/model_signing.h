#pragma once
// The OMS workflows: hash a model with the reference's path rules, sign its manifest, and verify a
// model against a bundle (signature first, then every file).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

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
Result<Manifest> hash_model(const std::filesystem::path& model, const HashingConfig& config);

// Checks the bundle's signature and returns nothing more; the caller picks the method.
using SignatureCheck = std::function<Check(const Bundle&)>;

struct VerifyOptions {
  HashingConfig hashing;  // serialization parameters come from the signature; only the ignore options are used
  bool ignore_unsigned_files = false;
  bool allow_symlinks = false;  // follow symbolic links even when the signature did not record that it did
};

struct VerifyReport {
  std::string model_name;      // from the signature
  std::size_t resources = 0;   // resources checked
};

Result<VerifyReport> verify_model(const std::filesystem::path& model, const std::filesystem::path& bundle_path,
                                  const VerifyOptions& options, const SignatureCheck& check_signature);

// Compares a signed manifest with the model's; the failure lists what is missing, extra or changed.
Check compare_manifests(const Manifest& expected, const Manifest& actual, bool ignore_unsigned_files);

}  // namespace modelgate::sign
