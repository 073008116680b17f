// CycloneDX 1.6 / 1.7 JSON from a scan result (docs/bom.md has the mapping). Every file and every
// archive member is one component, nested in its container; a reading of the same bytes under
// another format, an embedded stream or a value inside a file (a chat template in a JSON config) is
// no component of its own: its findings affect the component it is in, and its members (a zip
// found by its end record) are nested there.
#include <chrono>
#include <ctime>
#include <set>

#include <nlohmann/json.hpp>

#include "bom/component_type.h"
#include "bom/finding_cwe.h"
#include "bom/model_card.h"
#include "bom/rule_set_digest.h"
#include "bom/spdx_expression.h"
#include "bom/spdx_license.h"
#include "core/content_digest.h"
#include "core/escaped_text.h"
#include "core/json_text.h"
#include "modelgate/bom.h"
#include "modelgate/version.h"
#include "report/information_uri.h"

namespace modelgate {

namespace {

using nlohmann::json;

bool has_prefix(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool is_walked_directory(const ArtifactReport& r) {
  return r.format == "directory" || r.format == "hf-snapshot" || r.format == "hf-cache";
}

// The name of a child relative to the report it was found in: a directory entry's path, an
// archive member's name.
std::string child_name(const std::string& origin, const std::string& parent_origin) {
  for (std::string_view sep : {"!/", "/"})
    if (origin.size() > parent_origin.size() + sep.size() && has_prefix(origin, parent_origin) &&
        has_prefix(std::string_view(origin).substr(parent_origin.size()), sep))
      return origin.substr(parent_origin.size() + sep.size());
  return origin;
}

// pkg:huggingface/<namespace>/<name>@<commit> for a model repository snapshot whose revision is
// a commit hash; none otherwise (a dataset or space, or a revision that is a branch name).
std::string hub_purl(const ModelFacts& m) {
  const std::string kModel = "model:";
  if (!has_prefix(m.hub_repository, kModel) || m.hub_revision.size() != 40) return {};
  for (char c : m.hub_revision)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
  return "pkg:huggingface/" + percent_encode_path(m.hub_repository.substr(kModel.size())) + "@" + m.hub_revision;
}

json license_choice(const std::string& license) {
  if (auto id = bom::spdx_license_id(license)) return json::array({{{"license", {{"id", *id}}}}});
  if (auto expression = bom::spdx_expression(license)) return json::array({{{"expression", *expression}}});
  return json::array({{{"license", {{"name", license}}}}});
}

std::string timestamp_text(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

// A UUID (RFC 9562 version 8, name-based with SHA-256) of the document's content, so that the same
// input gives the same BOM.
std::string content_uuid(const std::string& text) {
  std::string hex = sha256_hex(ByteView(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
  hex[12] = '8';
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return "urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) +
         "-" + hex.substr(20, 12);
}

json property(std::string name, std::string value) { return {{"name", std::move(name)}, {"value", std::move(value)}}; }

class BomBuilder {
 public:
  explicit BomBuilder(const BomOptions& options) : options_(options) {}

  json components(const ScanResult& result) {
    json out = json::array();
    for (const auto& top : result.artifacts) out.push_back(component(top, top.origin, true));
    return out;
  }
  json dependencies() const { return dependencies_; }
  json vulnerabilities() const { return vulnerabilities_; }

 private:
  // A bom-ref per component, made of its origin (unique by construction; a suffix keeps it unique
  // should two artifacts ever share one).
  std::string new_ref(const std::string& origin) {
    std::string ref = origin;
    for (int n = 2; !refs_.insert(ref).second; ++n) ref = origin + "#" + std::to_string(n);
    return ref;
  }

  void add_findings(const ArtifactReport& r, const std::string& ref) {
    for (const auto& f : r.findings) {
      json v = {{"id", f.rule},
                {"source", {{"name", "modelgate"}, {"url", kInformationUri}}},
                {"ratings", {{{"source", {{"name", "modelgate"}}}, {"severity", to_string(f.severity)}, {"method", "other"}}}},
                {"detail", f.message},
                {"affects", {{{"ref", ref}}}}};
      if (const Rule* rule = find_rule(f.rule)) {
        v["description"] = rule->summary;
        v["recommendation"] = rule->help;
      }
      if (auto cwe = bom::cwe_of_rule(f.rule)) v["cwes"] = {*cwe};
      json props = {property("modelgate:status", std::string(to_string(f.status))), property("modelgate:origin", f.origin)};
      if (f.offset) props.push_back(property("modelgate:offset", std::to_string(*f.offset)));
      if (!f.evidence.empty()) props.push_back(property("modelgate:evidence", f.evidence));
      v["properties"] = std::move(props);
      vulnerabilities_.push_back(std::move(v));
    }
  }

  // The children of `r` (found in the report whose origin is `base`) into `nested`, as components
  // of the component `ref`; what is no component of its own is folded into `ref`.
  void add_children(const ArtifactReport& r, bool walked, const std::string& ref, json& nested,
                    std::vector<std::string>& depends_on) {
    for (const auto& c : r.children) {
      bool reading = has_prefix(c.origin, r.origin + "#reading=");
      // Directory entries are files even when they could not be read; below them, what the scan
      // did not hash is no content of its own (a stream at an offset, a value in a JSON file).
      bool own_content = walked || !c.sha256.empty();
      if (reading || !own_content) {
        add_findings(c, ref);
        add_children(c, false, ref, nested, depends_on);
        continue;
      }
      json child = component(c, child_name(c.origin, r.origin), false);
      depends_on.push_back(child["bom-ref"].get<std::string>());
      nested.push_back(std::move(child));
    }
  }

  json component(const ArtifactReport& r, const std::string& name, bool top_level) {
    std::string ref = new_ref(r.origin);
    json nested = json::array();
    std::vector<std::string> depends_on;
    add_findings(r, ref);
    add_children(r, is_walked_directory(r), ref, nested, depends_on);

    bool walked = is_walked_directory(r);
    ModelFacts facts = walked ? bom::directory_model_facts(r) : r.model;
    bom::ComponentType type = bom::component_type_of_format(r.format);
    // A directory is a model when it holds one or its config.json names one.
    bool holds_model = !facts.model_type.empty() || !facts.architectures.empty();
    for (const auto& n : nested) holds_model |= n["type"] == "machine-learning-model";
    if (walked && r.format != "hf-cache")
      type = holds_model ? bom::ComponentType::machine_learning_model : bom::ComponentType::container;
    else if (type == bom::ComponentType::file && !nested.empty())
      type = bom::ComponentType::container;

    json c = {{"type", bom::cyclonedx_type(type)}, {"bom-ref", ref}, {"name", name}};
    if (!r.sha256.empty()) c["hashes"].push_back({{"alg", "SHA-256"}, {"content", r.sha256}});
    if (!r.sha512.empty()) c["hashes"].push_back({{"alg", "SHA-512"}, {"content", r.sha512}});
    if (!facts.license.empty()) c["licenses"] = license_choice(facts.license);
    if (std::string purl = hub_purl(r.model); !purl.empty()) c["purl"] = purl;
    if (type == bom::ComponentType::configuration) c["data"] = {{{"type", "configuration"}, {"name", name}}};
    if (type == bom::ComponentType::machine_learning_model)
      if (json card = bom::model_card(facts); !card.is_null()) c["modelCard"] = std::move(card);
    for (const auto& a : options_.ancestors)
      if (a.derived_origin == r.origin) {
        json ancestor = {{"type", "machine-learning-model"},
                         {"name", a.name},
                         {"properties", {property("modelgate:format", a.format), property("modelgate:size", std::to_string(a.size))}}};
        if (!a.sha256.empty()) ancestor["hashes"] = {{{"alg", "SHA-256"}, {"content", a.sha256}}};
        c["pedigree"]["ancestors"].push_back(std::move(ancestor));
      }
    json props = {property("modelgate:origin", r.origin), property("modelgate:format", r.format),
                  property("modelgate:status", std::string(to_string(r.status)))};
    if (!walked) props.push_back(property("modelgate:size", std::to_string(r.size)));
    for (const auto& ref_name : r.model.hub_refs) props.push_back(property("modelgate:hub.ref", ref_name));
    if (top_level)
      for (const auto& s : options_.signatures)
        if (s.model_origin == r.origin) add_signature(s, c, props);
    c["properties"] = std::move(props);
    if (!nested.empty()) c["components"] = std::move(nested);

    json dependency = {{"ref", ref}};
    if (!depends_on.empty()) dependency["dependsOn"] = depends_on;
    dependencies_.push_back(std::move(dependency));
    return c;
  }

  static void add_signature(const BomSignature& s, json& c, json& props) {
    c["externalReferences"].push_back({{"type", "digital-signature"},
                                       {"url", percent_encode_path(s.reference)},
                                       {"comment", "OpenSSF Model Signing (OMS) signature"}});
    if (!s.checked) return;
    props.push_back(property("modelgate:signature.verified", s.verified ? "true" : "false"));
    props.push_back(property("modelgate:signature.method", s.method));
    if (!s.identity.empty()) props.push_back(property("modelgate:signature.identity", s.identity));
    if (!s.failure.empty()) props.push_back(property("modelgate:signature.failure", s.failure));
  }

  const BomOptions& options_;
  std::set<std::string> refs_;
  json dependencies_ = json::array();
  json vulnerabilities_ = json::array();
};

}  // namespace

std::string render_cyclonedx(const ScanResult& result, const BomOptions& options) {
  const char* version = options.spec == CycloneDxVersion::v1_7 ? "1.7" : "1.6";
  BomBuilder builder(options);
  json components = builder.components(result);
  std::int64_t now = options.timestamp.value_or(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  json tool = {{"type", "application"},
               {"name", "modelgate"},
               {"version", kVersion},
               {"properties",
                {property("modelgate:rule-set.sha256", bom::rule_set_sha256()),
                 property("modelgate:policy.sha256", bom::policy_sha256(options.policy))}}};
  json bom = {{"$schema", std::string("http://cyclonedx.org/schema/bom-") + version + ".schema.json"},
              {"bomFormat", "CycloneDX"},
              {"specVersion", version},
              {"version", 1},
              {"metadata",
               {{"timestamp", timestamp_text(now)},
                {"tools", {{"components", {tool}}}},
                {"properties", {property("modelgate:decision", result.decision.allow ? "allow" : "deny")}}}},
              {"components", std::move(components)},
              {"dependencies", builder.dependencies()}};
  if (json v = builder.vulnerabilities(); !v.empty()) bom["vulnerabilities"] = std::move(v);
  bom["serialNumber"] = content_uuid(json_text(bom));
  return json_text(bom, 2) + "\n";
}

}  // namespace modelgate
