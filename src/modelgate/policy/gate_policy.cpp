// modelgate.policy/2: every key checked for its type, every unknown key refused (a misspelt
// "requried" must not silently turn a requirement off), paths resolved against the policy's directory.
#include <regex>

#include "core/content_digest.h"
#include "core/limit_fields.h"
#include "core/regular_file.h"
#include "core/strict_json.h"
#include "modelgate/gate.h"
#include "modelgate/rules.h"

namespace modelgate {

namespace {

constexpr std::size_t kMaxGatePolicyBytes = 1 << 20;

using nlohmann::json;

// Thrown inside the parser only; parse_gate_policy turns it into the error text.
struct PolicyError {
  std::string message;
};

[[noreturn]] void policy_error(const std::string& where, const std::string& what) { throw PolicyError{where + ": " + what}; }

void only_keys(const json& object, const std::string& where, std::initializer_list<std::string_view> keys) {
  if (!object.is_object()) policy_error(where, "must be an object");
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (auto k : keys) known = known || k == key;
    if (!known) policy_error(where, "unknown key \"" + key + "\"");
  }
}

std::string text(const json& v, const std::string& where) {
  if (!v.is_string()) policy_error(where, "must be a string");
  return v.get<std::string>();
}

bool flag(const json& v, const std::string& where) {
  if (!v.is_boolean()) policy_error(where, "must be true or false");
  return v.get<bool>();
}

std::vector<std::string> texts(const json& v, const std::string& where) {
  if (!v.is_array()) policy_error(where, "must be an array of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(text(v[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

std::string sha256_text(const json& v, const std::string& where) {
  std::string s = text(v, where);
  static const std::regex hex("[0-9a-f]{64}");
  if (!std::regex_match(s, hex)) policy_error(where, "must be 64 lowercase hex digits (a SHA-256)");
  return s;
}

bool valid_date(const std::string& s) {
  static const std::regex date("([0-9]{4})-([0-9]{2})-([0-9]{2})");
  std::smatch m;
  if (!std::regex_match(s, m, date)) return false;
  int month = std::stoi(m[2]), day = std::stoi(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() || base.empty() ? path : base / path;
}

std::vector<std::filesystem::path> paths(const json& v, const std::string& where, const std::filesystem::path& base) {
  std::vector<std::filesystem::path> out;
  for (const auto& s : texts(v, where)) out.push_back(resolve(base, s));
  return out;
}

void parse_scan_key(const std::string& key, const json& value, Policy& p) {
  if (key == "profiles") {
    p.profiles = texts(value, key);
  } else if (key == "allow_globals") {
    p.extra_allowed_globals = texts(value, key);
  } else {  // allow_status
    p.allowed_statuses.clear();
    for (const auto& s : texts(value, key)) {
      auto st = parse_status(s);
      if (!st) policy_error(key, "unknown status \"" + s + "\"");
      p.allowed_statuses.insert(*st);
    }
  }
}

FormatRule parse_formats(const json& v) {
  only_keys(v, "formats", {"allow", "deny"});
  FormatRule r;
  if (v.contains("allow")) r.allow = texts(v["allow"], "formats.allow");
  if (v.contains("deny")) r.deny = texts(v["deny"], "formats.deny");
  return r;
}

PickleRule parse_pickle(const json& v) {
  only_keys(v, "pickle", {"allow", "require_signature", "require_legacy_flag"});
  PickleRule r;
  if (v.contains("allow")) r.allow = flag(v["allow"], "pickle.allow");
  if (v.contains("require_signature")) r.require_signature = flag(v["require_signature"], "pickle.require_signature");
  if (v.contains("require_legacy_flag"))
    r.require_legacy_flag = flag(v["require_legacy_flag"], "pickle.require_legacy_flag");
  return r;
}

std::vector<LegacyEntry> parse_legacy(const json& v) {
  if (!v.is_array()) policy_error("legacy", "must be an array");
  std::vector<LegacyEntry> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string where = "legacy[" + std::to_string(i) + "]";
    only_keys(v[i], where, {"sha256", "path", "reason"});
    LegacyEntry e;
    if (v[i].contains("sha256")) e.sha256 = sha256_text(v[i]["sha256"], where + ".sha256");
    if (v[i].contains("path")) e.path = text(v[i]["path"], where + ".path");
    if (!v[i].contains("reason")) policy_error(where, "needs a \"reason\"");
    e.reason = text(v[i]["reason"], where + ".reason");
    if (e.sha256.empty() && e.path.empty()) policy_error(where, "needs \"sha256\" or \"path\"");
    out.push_back(std::move(e));
  }
  return out;
}

SignatureRule parse_signature(const json& v, const std::filesystem::path& base) {
  only_keys(v, "signature", {"required", "keys", "certificate_roots", "identities", "trusted_root"});
  SignatureRule r;
  if (v.contains("required")) r.required = flag(v["required"], "signature.required");
  if (v.contains("keys")) r.keys = paths(v["keys"], "signature.keys", base);
  if (v.contains("certificate_roots")) r.certificate_roots = paths(v["certificate_roots"], "signature.certificate_roots", base);
  if (v.contains("trusted_root")) r.trusted_root = resolve(base, text(v["trusted_root"], "signature.trusted_root"));
  if (v.contains("identities")) {
    const json& ids = v["identities"];
    if (!ids.is_array()) policy_error("signature.identities", "must be an array");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::string where = "signature.identities[" + std::to_string(i) + "]";
      only_keys(ids[i], where, {"issuer", "subject", "subject_regex"});
      SignerIdentity id;
      if (!ids[i].contains("issuer")) policy_error(where, "needs an \"issuer\"");
      id.issuer = text(ids[i]["issuer"], where + ".issuer");
      if (ids[i].contains("subject")) id.subject = text(ids[i]["subject"], where + ".subject");
      if (ids[i].contains("subject_regex")) {
        id.subject_regex = text(ids[i]["subject_regex"], where + ".subject_regex");
        try {
          std::regex check(id.subject_regex);
        } catch (const std::regex_error& e) {
          policy_error(where + ".subject_regex", std::string("is not a valid pattern: ") + e.what());
        }
      }
      if (id.subject.empty() == id.subject_regex.empty()) policy_error(where, "needs exactly one of \"subject\" and \"subject_regex\"");
      r.identities.push_back(std::move(id));
    }
  }
  if (r.required && r.keys.empty() && r.certificate_roots.empty() && r.identities.empty())
    policy_error("signature", "is required but names no key, certificate root or identity to verify it with");
  return r;
}

void parse_limits(const json& v, Limits& limits) {
  if (!v.is_object()) policy_error("limits", "must be an object");
  for (const auto& [key, value] : v.items()) {
    const LimitField* field = nullptr;
    for (const auto& f : limit_fields())
      if (f.name == key) field = &f;
    if (field == nullptr) policy_error("limits", "unknown limit \"" + key + "\" (docs/limits.md lists them)");
    // The strict reader keeps small integers signed.
    if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<std::int64_t>() < 0))
      policy_error("limits." + key, "must be a non-negative integer");
    if (!field->set(limits, value.get<std::uint64_t>()))
      policy_error("limits." + key, "is larger than " + std::to_string(field->max_value()));
  }
}

LicenseRule parse_licenses(const json& v) {
  only_keys(v, "licenses", {"allow", "deny", "unknown"});
  LicenseRule r;
  if (v.contains("allow")) r.allow = texts(v["allow"], "licenses.allow");
  if (v.contains("deny")) r.deny = texts(v["deny"], "licenses.deny");
  if (v.contains("unknown")) {
    std::string u = text(v["unknown"], "licenses.unknown");
    if (u != "allow" && u != "deny") policy_error("licenses.unknown", "must be \"allow\" or \"deny\"");
    r.allow_unknown = u == "allow";
  }
  return r;
}

std::vector<Waiver> parse_waivers(const json& v) {
  if (!v.is_array()) policy_error("waivers", "must be an array");
  std::vector<Waiver> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string where = "waivers[" + std::to_string(i) + "]";
    only_keys(v[i], where, {"sha256", "rule", "expires", "reason"});
    for (const char* k : {"sha256", "rule", "expires", "reason"})
      if (!v[i].contains(k)) policy_error(where, std::string("needs \"") + k + "\"");
    Waiver w;
    w.sha256 = sha256_text(v[i]["sha256"], where + ".sha256");
    w.rule = text(v[i]["rule"], where + ".rule");
    if (find_rule(w.rule) == nullptr) policy_error(where + ".rule", "\"" + w.rule + "\" is not a rule id (`modelgate rules`)");
    w.expires = text(v[i]["expires"], where + ".expires");
    if (!valid_date(w.expires)) policy_error(where + ".expires", "must be a date YYYY-MM-DD");
    w.reason = text(v[i]["reason"], where + ".reason");
    out.push_back(std::move(w));
  }
  return out;
}

void parse_policy_object(const json& j, const std::filesystem::path& base, GatePolicy& p) {
  if (!j.is_object()) policy_error("policy", "must be a JSON object");
  std::string schema = "modelgate.policy/1";
  if (j.contains("schema")) schema = text(j["schema"], "schema");
  if (schema == "modelgate.policy/1") {
    p.schema_version = 1;
    only_keys(j, "policy (modelgate.policy/1)", {"schema", "profiles", "allow_globals", "allow_status"});
  } else if (schema == "modelgate.policy/2") {
    only_keys(j, "policy", {"schema", "mode", "formats", "pickle", "legacy", "signature", "limits", "licenses",
                            "profiles", "allow_globals", "allow_status", "waivers"});
  } else {
    policy_error("schema", "unsupported \"" + schema + "\" (expected \"modelgate.policy/2\" or \"modelgate.policy/1\")");
  }
  for (const auto& [key, value] : j.items()) {
    if (key == "profiles" || key == "allow_globals" || key == "allow_status") parse_scan_key(key, value, p.scan);
    else if (key == "mode") {
      std::string m = text(value, "mode");
      if (m != "enforce" && m != "dry-run") policy_error("mode", "must be \"enforce\" or \"dry-run\"");
      p.mode = m == "dry-run" ? GateMode::dry_run : GateMode::enforce;
    } else if (key == "formats") p.formats = parse_formats(value);
    else if (key == "pickle") p.pickle = parse_pickle(value);
    else if (key == "legacy") p.legacy = parse_legacy(value);
    else if (key == "signature") p.signature = parse_signature(value, base);
    else if (key == "limits") parse_limits(value, p.limits);
    else if (key == "licenses") p.licenses = parse_licenses(value);
    else if (key == "waivers") p.waivers = parse_waivers(value);
  }
}

}  // namespace

ValueOr<GatePolicy, Error> parse_gate_policy(std::string_view policy_text, const std::filesystem::path& base) {
  JsonReadOptions options;
  options.max_depth = 16;
  options.max_values = 1u << 20;
  options.python_constants = false;
  auto doc = read_strict_json(policy_text, options);
  if (!doc)
    return parse_error(doc.error().offset,
                       "invalid JSON at byte " + std::to_string(doc.error().offset) + ": " + doc.error().reason);
  GatePolicy p;
  try {
    parse_policy_object(doc->value, base, p);
  } catch (const PolicyError& e) {
    return parse_error(0, e.message);
  }
  p.sha256 = sha256_hex(as_byte_view(policy_text));
  return p;
}

ValueOr<GatePolicy, Error> load_gate_policy(const std::filesystem::path& file) {
  // A FIFO or device named as the policy is refused at once instead of blocking.
  auto bytes = read_small_file(file, kMaxGatePolicyBytes);
  if (!bytes) return parse_error(0, "cannot read the policy file " + bytes.error().message());
  auto policy = parse_gate_policy(*bytes, file.parent_path());
  if (!policy) {
    Error e = policy.error();
    e.origin = file.string();
    return e;
  }
  return policy;
}

}  // namespace modelgate
