#include "sign/statement.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/json_text.h"
#include "sign/model_walk.h"

namespace modelgate::sign {

using nlohmann::json;

static json serialization_json(const Serialization& s) {
  json out = json::object();
  out["method"] = s.method == SerializationMethod::files ? "files" : "shards";
  out["hash_type"] = std::string(hash_name(s.hash));
  if (s.method == SerializationMethod::shards) out["shard_size"] = s.shard_size;
  out["allow_symlinks"] = s.allow_symlinks;
  if (!s.ignore_paths.empty()) out["ignore_paths"] = s.ignore_paths;  // absent when empty, as the reference writes
  return out;
}

// Shard digests are named "<hash>-sharded-<shard size>", as the reference names them and compares
// them: its verifier rejects a shard digest named plainly "sha256" (docs/signing.md, "Algorithm names").
static std::string resource_algorithm(const ManifestItem& item, const Serialization& s) {
  std::string name(hash_name(item.algorithm));
  if (item.shard) name += "-sharded-" + std::to_string(s.shard_size);
  return name;
}

std::string statement_json(const Manifest& manifest) {
  json resources = json::array();
  for (const auto& item : manifest.items)
    resources.push_back(
        {{"name", item.name()}, {"algorithm", resource_algorithm(item, manifest.serialization)}, {"digest", hex_encode(item.digest)}});
  json statement = {
      {"_type", std::string(kStatementType)},
      {"subject", json::array({{{"name", manifest.model_name}, {"digest", {{"sha256", hex_encode(manifest.root_digest())}}}}})},
      {"predicateType", std::string(kPredicateType)},
      {"predicate", {{"serialization", serialization_json(manifest.serialization)}, {"resources", resources}}},
  };
  return json_text(statement, 2);
}

namespace {

Error statement_error(std::string detail) { return verification_failure("statement", std::move(detail)); }

// JSON integers may have been written as floats (1000000000.0) by some producers.
std::optional<std::uint64_t> as_uint(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    if (i < 0) return std::nullopt;
    return static_cast<std::uint64_t>(i);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!(d >= 0) || d > 9007199254740992.0 || std::floor(d) != d) return std::nullopt;
    return static_cast<std::uint64_t>(d);
  }
  return std::nullopt;
}

std::optional<bool> as_bool(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {  // the reference's own v0.2 compatibility path passes "false"
    if (v == "false" || v == "False") return false;
    if (v == "true" || v == "True") return true;
  }
  return std::nullopt;
}

const json* statement_member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

Expected<Bytes> digest_hex(const json* v, std::string_view what) {
  if (v == nullptr || !v->is_string()) return statement_error(std::string(what) + " is missing or not a string");
  auto bytes = hex_decode(v->get<std::string>());
  if (!bytes || bytes->empty()) return statement_error(std::string(what) + " is not hex");
  return std::move(*bytes);
}

Expected<SignedManifest> parse_v02(const json& statement) {
  SignedManifest out;
  out.legacy_v02 = true;
  out.manifest.model_name = "";
  const json* subjects = statement_member(statement, "subject");
  if (subjects == nullptr || !subjects->is_array() || subjects->empty()) return statement_error("v0.2 statement has no subjects");
  std::set<std::string> seen;
  for (const auto& s : *subjects) {
    const json* name = statement_member(s, "name");
    if (name == nullptr || !name->is_string()) return statement_error("v0.2 subject without a name");
    const json* digests = statement_member(s, "digest");
    auto digest = digest_hex(digests ? statement_member(*digests, "sha256") : nullptr, "v0.2 subject digest");
    if (!digest) return digest.error();
    if (digest->size() != 32) return statement_error("v0.2 subject digest is not a SHA-256 digest");
    std::string path = normalize_relative(name->get<std::string>());
    if (path.empty()) path = name->get<std::string>() == "." ? "." : "";
    if (path.empty()) return statement_error("resource name '" + name->get<std::string>() + "' is not a model-relative path");
    if (!seen.insert(path).second) return statement_error("duplicate resource '" + path + "'");
    out.manifest.items.push_back({path, false, 0, 0, HashAlgorithm::sha256, std::move(*digest)});
  }
  out.manifest.sort();
  return out;
}

}  // namespace

Expected<SignedManifest> parse_statement(std::string_view payload) {
  json statement = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (statement.is_discarded() || !statement.is_object()) return statement_error("the DSSE payload is not a JSON object");
  const json* type = statement_member(statement, "_type");
  if (type == nullptr || *type != std::string(kStatementType))
    return statement_error("_type is not " + std::string(kStatementType));
  const json* predicate_type = statement_member(statement, "predicateType");
  if (predicate_type == nullptr || !predicate_type->is_string()) return statement_error("predicateType is missing");
  if (*predicate_type == std::string(kPredicateTypeV02)) return parse_v02(statement);
  if (*predicate_type != std::string(kPredicateType))
    return verification_failure("predicate type", "expected " + std::string(kPredicateType) + ", got " +
                                                      predicate_type->get<std::string>());

  SignedManifest out;
  Manifest& m = out.manifest;
  const json* subjects = statement_member(statement, "subject");
  if (subjects == nullptr || !subjects->is_array() || subjects->size() != 1)
    return statement_error("expected exactly one subject");
  const json& subject = (*subjects)[0];
  if (const json* name = statement_member(subject, "name"); name != nullptr && name->is_string()) m.model_name = *name;
  const json* subject_digests = statement_member(subject, "digest");
  auto root = digest_hex(subject_digests ? statement_member(*subject_digests, "sha256") : nullptr, "subject sha256 digest");
  if (!root) return root.error();

  const json* predicate = statement_member(statement, "predicate");
  if (predicate == nullptr || !predicate->is_object()) return statement_error("predicate is missing");
  const json* ser = statement_member(*predicate, "serialization");
  if (ser == nullptr || !ser->is_object()) return statement_error("predicate.serialization is missing");
  const json* method = statement_member(*ser, "method");
  if (method != nullptr && *method == "files") {
    m.serialization.method = SerializationMethod::files;
  } else if (method != nullptr && *method == "shards") {
    m.serialization.method = SerializationMethod::shards;
    const json* size = statement_member(*ser, "shard_size");
    auto shard_size = size ? as_uint(*size) : std::nullopt;
    if (!shard_size || *shard_size == 0) return statement_error("serialization.shard_size is missing or not a positive integer");
    m.serialization.shard_size = *shard_size;
  } else {
    return statement_error("serialization.method is not 'files' or 'shards'");
  }
  const json* hash_type = statement_member(*ser, "hash_type");
  auto hash = hash_type && hash_type->is_string() ? parse_hash_name(hash_type->get<std::string>()) : std::nullopt;
  if (!hash) return statement_error("serialization.hash_type is missing or unsupported");
  m.serialization.hash = *hash;
  const json* symlinks = statement_member(*ser, "allow_symlinks");
  auto allow = symlinks ? as_bool(*symlinks) : std::optional<bool>(false);
  if (!allow) return statement_error("serialization.allow_symlinks is not a boolean");
  m.serialization.allow_symlinks = *allow;
  if (const json* ignores = statement_member(*ser, "ignore_paths"); ignores != nullptr) {
    if (!ignores->is_array()) return statement_error("serialization.ignore_paths is not a list");
    for (const auto& p : *ignores) {
      if (!p.is_string()) return statement_error("serialization.ignore_paths has a non-string entry");
      std::string clean = normalize_relative(p.get<std::string>());
      if (clean.empty()) return statement_error("ignore path '" + p.get<std::string>() + "' is not model-relative");
      m.serialization.ignore_paths.push_back(clean);
    }
  }

  const json* resources = statement_member(*predicate, "resources");
  if (resources == nullptr || !resources->is_array()) return statement_error("predicate.resources is missing");
  if (resources->empty()) return statement_error("the signature lists no resources; it covers nothing");
  Bytes concatenated;
  std::set<std::string> seen;
  for (const auto& r : *resources) {
    const json* name = statement_member(r, "name");
    const json* algorithm = statement_member(r, "algorithm");
    if (name == nullptr || !name->is_string() || name->get<std::string>().empty())
      return statement_error("a resource has no name");
    auto alg = algorithm && algorithm->is_string() ? parse_hash_name(algorithm->get<std::string>()) : std::nullopt;
    if (!alg) return statement_error("resource '" + name->get<std::string>() + "' has a missing or unsupported algorithm");
    if (auto sharded = sharded_size(algorithm->get<std::string>());
        sharded && (m.serialization.method != SerializationMethod::shards || *sharded != m.serialization.shard_size))
      return statement_error("resource '" + name->get<std::string>() + "' is named for shards of " +
                             std::to_string(*sharded) + " bytes, which the serialization does not use");
    auto digest = digest_hex(statement_member(r, "digest"), "resource digest");
    if (!digest) return digest.error();
    if (digest->size() != digest_size(*alg))
      return statement_error("resource '" + name->get<std::string>() + "' digest has the wrong length");
    concatenated.insert(concatenated.end(), digest->begin(), digest->end());

    ManifestItem item;
    item.algorithm = *alg;
    item.digest = std::move(*digest);
    std::string text = name->get<std::string>();
    if (m.serialization.method == SerializationMethod::shards) {
      // The offsets are the last two fields: a file name may itself contain ':' (specification 6.3.2).
      auto c2 = text.rfind(':');
      auto c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : text.rfind(':', c2 - 1);
      if (c1 == std::string::npos || c1 == 0) return statement_error("shard resource '" + text + "' is not path:start:end");
      auto start = parse_decimal(std::string_view(text).substr(c1 + 1, c2 - c1 - 1));
      auto end = parse_decimal(std::string_view(text).substr(c2 + 1));
      if (!start || !end || *start > *end) return statement_error("shard resource '" + text + "' has bad offsets");
      item.shard = true;
      item.start = *start;
      item.end = *end;
      text = text.substr(0, c1);
    }
    item.path = text == "." ? "." : normalize_relative(text);
    if (item.path.empty()) return statement_error("resource name '" + text + "' is not a model-relative path");
    if (!seen.insert(item.name()).second) return statement_error("duplicate resource '" + item.name() + "'");
    m.items.push_back(std::move(item));
  }
  Manifest digest_only;
  digest_only.items.push_back({"", false, 0, 0, HashAlgorithm::sha256, concatenated});
  if (digest_only.root_digest() != *root)
    return verification_failure("manifest consistency", "the subject digest " + hex_encode(*root) +
                                                            " does not match the digests of the listed resources");
  m.sort();
  return out;
}

}  // namespace modelgate::sign
