#include "gate/stored_report.h"

#include "core/format_details_json.h"
#include "core/json_text.h"
#include "core/model_facts_json.h"
#include "core/parsed_facts_json.h"
#include "core/strict_json.h"
#include "modelgate/rules.h"

namespace modelgate {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxStoredReportBytes = 256u << 20;
constexpr std::size_t kMaxStoredDepth = 256;  // JSON nesting: reports nest at most max_nesting_depth plus readings

struct Malformed {
  std::string reason;
};

[[noreturn]] void malformed(const std::string& reason) { throw Malformed{reason}; }

json encode(const ArtifactReport& r) {
  json findings = json::array();
  for (const auto& f : r.findings) {
    json jf = {{"rule", f.rule}, {"severity", to_string(f.severity)}, {"status", to_string(f.status)},
               {"origin", f.origin}, {"message", f.message}, {"evidence", f.evidence}};
    if (f.offset) jf["offset"] = *f.offset;
    findings.push_back(std::move(jf));
  }
  json children = json::array();
  for (const auto& c : r.children) children.push_back(encode(c));
  json parsed = json::object();
  add_parsed_facts(r.parsed, parsed);
  return {{"origin", r.origin},     {"format", r.format},
          {"size", r.size},         {"status", to_string(r.status)},
          {"findings", findings},   {"children", children},
          {"facts", parsed},        {"details", format_details_json(r.details)},
          {"model", model_facts_json(r.model)}, {"sha256", r.sha256}};
}

const json& member(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) malformed(std::string("missing \"") + key + "\"");
  return *it;
}

std::string text_member(const json& object, const char* key) {
  const json& v = member(object, key);
  if (!v.is_string()) malformed(std::string("\"") + key + "\" is not a string");
  return v.get<std::string>();
}

std::uint64_t number_member(const json& object, const char* key) {
  const json& v = member(object, key);
  // The strict reader keeps small integers signed.
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<std::int64_t>() < 0))
    malformed(std::string("\"") + key + "\" is not a non-negative integer");
  return v.get<std::uint64_t>();
}

Status status_member(const json& object) {
  auto s = parse_status(text_member(object, "status"));
  if (!s) malformed("unknown status");
  return *s;
}

void exact_keys(const json& object, std::size_t required, std::size_t optional_present) {
  if (!object.is_object() || object.size() != required + optional_present) malformed("unexpected members");
}

Finding decode_finding(const json& j, const std::string& owner) {
  Finding f;
  f.rule = text_member(j, "rule");
  const Rule* known = find_rule(f.rule);
  if (known == nullptr) malformed("unknown rule id \"" + f.rule + "\"");
  std::string severity = text_member(j, "severity");
  bool severity_known = false;
  for (auto s : {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical})
    if (to_string(s) == severity) f.severity = s, severity_known = true;
  if (!severity_known) malformed("unknown severity");
  f.status = status_member(j);
  // Every finding imposes its rule's status (make_finding): a row that says otherwise was edited.
  if (f.status != known->status) malformed("a finding's status is not its rule's");
  f.origin = text_member(j, "origin");
  if (f.origin.compare(0, owner.size(), owner) != 0) malformed("a finding's origin is outside its artifact");
  f.message = text_member(j, "message");
  f.evidence = text_member(j, "evidence");
  bool has_offset = j.contains("offset");
  if (has_offset) f.offset = number_member(j, "offset");
  exact_keys(j, 6, has_offset ? 1 : 0);
  return f;
}

ArtifactReport decode_node(const json& j, const std::string& parent, bool root) {
  if (!j.is_object()) malformed("an artifact is not an object");
  exact_keys(j, 10, 0);
  ArtifactReport r;
  r.origin = text_member(j, "origin");
  if (root ? !r.origin.empty() : (r.origin.size() <= parent.size() || r.origin.compare(0, parent.size(), parent) != 0))
    malformed("an origin does not continue its parent's");
  r.format = text_member(j, "format");
  r.size = number_member(j, "size");
  r.status = status_member(j);
  const json& findings = member(j, "findings");
  const json& children = member(j, "children");
  if (!findings.is_array() || !children.is_array()) malformed("findings or children are not arrays");
  for (const auto& f : findings) r.findings.push_back(decode_finding(f, r.origin));
  for (const auto& c : children) r.children.push_back(decode_node(c, r.origin, false));
  json facts = member(j, "facts");
  auto parsed = take_parsed_facts(facts);
  if (!parsed) malformed(parsed.error().message());
  if (!facts.empty()) malformed("facts carry a key modelgate does not write");
  r.parsed = std::move(*parsed);
  auto details = format_details_from_json(member(j, "details"));
  if (!details) malformed(details.error().message());
  r.details = std::move(*details);
  auto model = model_facts_from_json(member(j, "model"));
  if (!model) malformed(model.error().message());
  r.model = std::move(*model);
  r.sha256 = text_member(j, "sha256");
  return r;
}

// The stored statuses must be those the findings give: a row edited to say `safe` over an unsafe
// finding is refused, not believed.
void check_statuses(const ArtifactReport& stored, const ArtifactReport& recomputed) {
  if (stored.status != recomputed.status) malformed("a stored status disagrees with its findings");
  for (std::size_t i = 0; i < stored.children.size(); ++i) check_statuses(stored.children[i], recomputed.children[i]);
}

}  // namespace

std::string encode_stored_report(const ArtifactReport& report) { return json_text(encode(report)); }

Expected<ArtifactReport> decode_stored_report(std::string_view text, const ResultKey& key) {
  if (text.size() > kMaxStoredReportBytes) return parse_error(0, "the stored report is larger than any modelgate writes");
  JsonReadOptions options;
  options.max_depth = kMaxStoredDepth;
  options.max_values = 1u << 24;
  options.python_constants = false;
  auto doc = read_strict_json(text, options);
  if (!doc)
    return parse_error(doc.error().offset,
                       "not valid JSON at byte " + std::to_string(doc.error().offset) + ": " + doc.error().reason);
  try {
    ArtifactReport stored = decode_node(doc->value, "", true);
    if (stored.size != key.size || stored.sha256 != key.sha256) malformed("it describes other content than its key");
    ArtifactReport recomputed = stored;
    recomputed.finalize();
    check_statuses(stored, recomputed);
    return stored;
  } catch (const Malformed& m) {
    return parse_error(0, m.reason);
  } catch (const json::exception& e) {
    return parse_error(0, e.what());
  }
}

}  // namespace modelgate
