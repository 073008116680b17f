#include "sign/model_signing.h"

#include <algorithm>
#include <map>
#include <set>

#include "sign/model_walk.h"
#include "sign/openssl_util.h"
#include "sign/serialize.h"
#include "sign/statement.h"

namespace modelgate::sign {

namespace fs = std::filesystem;

namespace {

// `path` relative to `root` when it lies inside it (lexically, after making both absolute).
std::optional<std::string> inside(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  fs::path r = fs::absolute(root, ec).lexically_normal();
  fs::path p = fs::absolute(path, ec).lexically_normal();
  if (!r.has_filename()) r = r.parent_path();
  auto rel = p.lexically_relative(r);
  if (rel.empty()) return std::nullopt;
  std::string s = rel.generic_string();
  if (s == "." ) return std::string(".");
  if (s.starts_with("..")) return std::nullopt;
  return normalize_relative(s);
}

bool is_model_directory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

}  // namespace

std::vector<std::string> resolve_ignore_paths(const fs::path& model, const HashingConfig& config) {
  std::set<std::string> out;
  if (!is_model_directory(model)) return {};  // a single-file model has nothing to ignore
  if (config.ignore_git_paths)
    for (const char* p : {".git", ".gitattributes", ".github", ".gitignore"}) out.insert(p);
  for (const auto& raw : config.ignore_paths) {
    // A path that names something inside the model from the current directory is taken as such;
    // otherwise it is read relative to the model root, as the reference records it.
    if (auto rel = inside(model, raw); rel && !rel->empty() && *rel != ".") {
      out.insert(*rel);
      continue;
    }
    if (std::string rel = normalize_relative(raw); !rel.empty()) out.insert(rel);
  }
  if (!config.signature.empty())
    if (auto rel = inside(model, config.signature); rel && !rel->empty() && *rel != ".") out.insert(*rel);
  return {out.begin(), out.end()};
}

Result<Manifest> hash_model(const fs::path& model, const HashingConfig& config) {
  SerializeOptions options;
  options.serialization = config.serialization;
  options.ignore_paths = resolve_ignore_paths(model, config);
  options.serialization.ignore_paths = options.ignore_paths;
  options.hashing = config.hashing;
  return serialize_model(model, options);
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

Result<VerifyReport> verify_model(const fs::path& model, const fs::path& bundle_path, const VerifyOptions& options,
                                  const SignatureCheck& check_signature) {
  std::error_code ec;
  if (!fs::exists(model, ec) && !fs::is_symlink(model, ec))
    return usage_failure("model files", "model path " + model.string() + " does not exist");
  auto text = read_small_file(bundle_path, kMaxBundleBytes, "bundle");
  if (!text) return verification_failure("bundle", text.failure().detail);
  auto bundle = parse_bundle(*text);
  if (!bundle) return bundle.failure();
  if (auto r = check_signature(*bundle); !r) return r.failure();
  if (bundle->payload_type != kInTotoPayloadType)
    return verification_failure("payload type", "expected " + std::string(kInTotoPayloadType) + ", got " + bundle->payload_type);
  auto signed_manifest = parse_statement(bundle->payload);
  if (!signed_manifest) return signed_manifest.failure();
  Manifest& expected = signed_manifest->manifest;

  bool single_file = !is_model_directory(model);
  if (single_file) {
    // Older releases named the only resource of a single-file model "."; accept its file name as well.
    std::string file_name = model_name_of(model);
    for (auto& item : expected.items)
      if (item.path == file_name) item.path = ".";
  }

  HashingConfig config = options.hashing;
  config.serialization = expected.serialization;
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
    Failure f = actual.failure();
    f.kind = FailureKind::verification;
    return f;
  }
  if (auto r = compare_manifests(expected, *actual, options.ignore_unsigned_files); !r) return r.failure();
  return VerifyReport{expected.model_name, expected.items.size()};
}

}  // namespace modelgate::sign
