#include "sign/model_signing.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/path_within.h"
#include "core/utf8.h"
#include "sign/confined_manifest.h"
#include "sign/model_walk.h"
#include "sign/openssl_util.h"
#include "sign/serialize.h"
#include "sign/statement.h"

namespace modelgate::sign {

namespace fs = std::filesystem;

namespace {

bool is_model_directory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// As the reference resolves a user's path: from the working directory, symbolic links resolved; the
// result relative to the resolved model root ("." for the root itself), or nothing when outside it.
std::optional<std::string> relative_to_model(const fs::path& model_root, const fs::path& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec || !path_is_within(p, model_root)) return std::nullopt;
  return p.lexically_relative(model_root).generic_string();
}

}  // namespace

std::vector<std::string> resolve_ignore_paths(const fs::path& model, const HashingConfig& config) {
  // For a single-file model nothing lies below the root, so only the root itself (".") could match;
  // the git paths are recorded all the same, as the reference records them.
  std::set<std::string> out;
  if (config.ignore_git_paths)
    for (const char* p : {".git", ".gitattributes", ".github", ".gitignore"}) out.insert(p);
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::absolute(model, ec), ec);
  for (const auto& raw : config.ignore_paths)
    if (auto rel = relative_to_model(root, raw)) out.insert(*rel);
  if (!config.signature.empty())
    if (auto rel = relative_to_model(root, config.signature); rel && *rel != ".") out.insert(*rel);
  return {out.begin(), out.end()};
}

Expected<Manifest> hash_model(const fs::path& model, const HashingConfig& config) {
  SerializeOptions options;
  options.serialization = config.serialization;
  options.ignore_paths = resolve_ignore_paths(model, config);
  // A path that is not UTF-8 is left out but cannot be recorded: verification must be given it again.
  options.serialization.ignore_paths.clear();
  for (const auto& p : options.ignore_paths)
    if (is_utf8(p)) options.serialization.ignore_paths.push_back(p);
  options.hashing = config.hashing;
  if (std::string name = model_name_of(model); !is_utf8(name))
    return usage_failure("model name", "'" + name + "' is not a valid UTF-8 name; the OMS subject name must be UTF-8");
  auto manifest = serialize_model(model, options);
  if (manifest && manifest->items.empty())
    return usage_failure("model files", "every file of the model is empty, and shard serialization gives an empty file "
                                        "no resource: there is nothing to sign (use --serialization files)");
  return manifest;
}

Check compare_manifests(const Manifest& expected, const Manifest& actual, bool ignore_unsigned_files) {
  std::map<std::string, const ManifestItem*> want, have;
  for (const auto& i : expected.items) want[i.name()] = &i;
  for (const auto& i : actual.items) have[i.name()] = &i;
  std::vector<std::string> missing, extra, changed;
  for (const auto& [name, item] : want) {
    auto it = have.find(name);
    if (it == have.end())
      missing.push_back(name);
    else if (it->second->algorithm != item->algorithm || it->second->digest != item->digest)
      changed.push_back(name);
  }
  if (!ignore_unsigned_files)
    for (const auto& [name, item] : have)
      if (!want.count(name)) extra.push_back(name);
  if (missing.empty() && extra.empty() && changed.empty()) return Ok{};
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < 10; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > 10) s += ", ... (" + std::to_string(v.size()) + " in all)";
    return s;
  };
  std::string detail;
  if (!changed.empty()) detail += "modified (digest differs): " + list(changed);
  if (!missing.empty()) detail += std::string(detail.empty() ? "" : "; ") + "signed but missing from the model: " + list(missing);
  if (!extra.empty()) detail += std::string(detail.empty() ? "" : "; ") + "present in the model but not signed: " + list(extra);
  return verification_failure("manifest", detail);
}

Expected<Manifest> read_signed_manifest(std::string_view bundle_text, const SignatureCheck& check, CheckEvents& events) {
  auto bundle = parse_bundle(bundle_text);
  if (!bundle) return bundle.error();
  if (auto r = check(*bundle, events); !r) return r.error();
  if (bundle->payload_type != kInTotoPayloadType)
    return verification_failure("payload type", "expected " + std::string(kInTotoPayloadType) + ", got " + bundle->payload_type);
  auto statement = parse_statement(bundle->payload);
  if (!statement) return statement.error();
  return std::move(statement->manifest);
}

Expected<VerifyReport> verify_model(const fs::path& model, const fs::path& bundle_path, const VerifyOptions& options,
                                    const SignatureCheck& check_signature) {
  std::error_code ec;
  if (!fs::exists(model, ec) && !fs::is_symlink(model, ec))
    return usage_failure("model files", "model path " + model.string() + " does not exist");
  CheckEvents events;
  Expected<Manifest> signed_manifest = verification_failure("bundle", "not read");
  if (options.sandbox == SandboxMode::off) {
    auto text = read_small_file(bundle_path, kMaxBundleBytes, "bundle");
    if (!text) return verification_failure("bundle", text.error().reason);
    signed_manifest = read_signed_manifest(*text, check_signature, events);
  } else {
    signed_manifest = read_signed_manifest_confined(bundle_path, check_signature, events, options.sandbox,
                                                    options.worker_timeout_ms);
  }
  for (const auto& note : events.notes)
    if (options.on_note) options.on_note(note);
  for (const auto& [where, fingerprint] : events.certificates)
    if (options.on_certificate) options.on_certificate(where, fingerprint);
  if (!signed_manifest) return signed_manifest.error();
  Manifest& expected = *signed_manifest;

  bool single_file = !is_model_directory(model);
  if (single_file) {
    // Older releases named the only resource of a single-file model "."; accept its file name as well.
    std::string file_name = model_name_of(model);
    for (auto& item : expected.items)
      if (item.path == file_name) item.path = ".";
  }

  HashingConfig config = options.hashing;
  config.serialization = expected.serialization;
  if (options.allow_symlinks) config.serialization.allow_symlinks = true;
  SerializeOptions ser;
  ser.serialization = config.serialization;
  ser.ignore_paths = resolve_ignore_paths(model, config);
  // Recorded ignore paths are model-relative; add them verbatim in case the cwd interpretation differed.
  for (const auto& p : expected.serialization.ignore_paths)
    if (!single_file) ser.ignore_paths.push_back(p);
  ser.hashing = config.hashing;
  std::set<std::string> signed_paths;
  for (const auto& item : expected.items) signed_paths.insert(item.path);
  if (options.ignore_unsigned_files)
    ser.select = [&signed_paths](const std::string& relative) { return signed_paths.count(relative) != 0; };
  auto actual = serialize_model(model, ser);
  if (!actual) {
    Error f = actual.error();
    f.rule = kVerificationFailed;
    return f;
  }
  if (auto r = compare_manifests(expected, *actual, options.ignore_unsigned_files); !r) return r.error();
  return VerifyReport{expected.model_name, expected.items.size()};
}

}  // namespace modelgate::sign
