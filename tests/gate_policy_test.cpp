// modelgate.policy/2: every key parsed, unknown keys refused at every level, policy/1 unchanged, and
// the published JSON Schema (docs/policy.schema.json, checked with Ajv) agreeing with the parser.
#include <gtest/gtest.h>

#include <cstddef>
#include <set>

#include "core/limit_fields.h"
#include "modelgate/gate.h"
#include "test_util.h"

namespace gate_policy_test {

namespace {

using namespace mgtest;
using nlohmann::json;
using modelgate::GatePolicy;

std::optional<std::string> parse(const json& j, GatePolicy& p) {
  auto parsed = modelgate::parse_gate_policy(j.dump(), "/policies");
  if (!parsed) return parsed.error().reason;
  p = std::move(*parsed);
  return std::nullopt;
}
std::optional<std::string> parse(const json& j) {
  GatePolicy p;
  return parse(j, p);
}

const std::string kDigest(64, 'a');

json full_policy() {
  return {{"schema", "modelgate.policy/2"},
          {"mode", "dry-run"},
          {"formats", {{"allow", {"safetensors", "json"}}, {"deny", {"pickle"}}}},
          {"pickle", {{"allow", true}, {"require_signature", true}, {"require_legacy_flag", true}}},
          {"legacy", {{{"sha256", kDigest}, {"path", "old/model.pkl"}, {"reason", "baseline"}}}},
          {"signature",
           {{"required", true},
            {"keys", {"keys/team.pub"}},
            {"certificate_roots", {"/etc/ca.pem"}},
            {"identities", {{{"issuer", "https://token.actions.githubusercontent.com"}, {"subject_regex", "^https://github.com/org/.*$"}},
                            {{"issuer", "https://accounts.google.com"}, {"subject", "ml@example.com"}}}},
            {"trusted_root", "trusted_root.json"}}},
          {"limits", {{"max_json_bytes", 1024}, {"max_total_unpacked", 1ull << 40}}},
          {"licenses", {{"allow", {"apache-2.0", "mit"}}, {"deny", {"gpl-3.0"}}, {"unknown", "deny"}}},
          {"profiles", {"torch"}},
          {"allow_globals", {"collections.OrderedDict"}},
          {"allow_status", {"safe", "unverified"}},
          {"waivers", {{{"sha256", kDigest}, {"rule", "MG-PICKLE-GLOBAL-UNLISTED"}, {"expires", "2027-01-31"}, {"reason", "vendor"}}}}};
}

TEST(GatePolicy, EveryKeyIsRead) {
  GatePolicy p;
  ASSERT_EQ(parse(full_policy(), p), std::nullopt);
  EXPECT_EQ(p.schema_version, 2);
  EXPECT_EQ(p.mode, modelgate::GateMode::dry_run);
  ASSERT_TRUE(p.formats && p.formats->allow);
  EXPECT_EQ(p.formats->allow->size(), 2u);
  EXPECT_EQ(p.formats->deny, std::vector<std::string>{"pickle"});
  EXPECT_TRUE(p.pickle.require_signature && p.pickle.require_legacy_flag);
  EXPECT_EQ(p.legacy.at(0).path, "old/model.pkl");
  EXPECT_EQ(p.signature.keys.at(0), "/policies/keys/team.pub");  // relative to the policy's directory
  EXPECT_EQ(p.signature.certificate_roots.at(0), "/etc/ca.pem");
  EXPECT_EQ(p.signature.trusted_root, "/policies/trusted_root.json");
  EXPECT_EQ(p.signature.identities.at(0).subject_regex, "^https://github.com/org/.*$");
  EXPECT_EQ(p.limits.max_json_bytes, 1024u);
  EXPECT_EQ(p.limits.max_total_unpacked, 1ull << 40);
  EXPECT_EQ(p.limits.max_json_depth, modelgate::Limits{}.max_json_depth);
  ASSERT_TRUE(p.licenses && p.licenses->allow);
  EXPECT_FALSE(p.licenses->allow_unknown);
  EXPECT_EQ(p.scan.profiles, std::vector<std::string>{"torch"});
  EXPECT_EQ(p.scan.allowed_statuses.size(), 2u);
  EXPECT_EQ(p.waivers.at(0).expires, "2027-01-31");
  EXPECT_EQ(p.sha256.size(), 64u);
}

TEST(GatePolicy, Policy1KeepsItsMeaningAndOnlyItsKeys) {
  GatePolicy p;
  ASSERT_EQ(parse({{"schema", "modelgate.policy/1"}, {"profiles", {"numpy"}}, {"allow_status", {"safe", "unverified"}}}, p), std::nullopt);
  EXPECT_EQ(p.schema_version, 1);
  EXPECT_EQ(p.mode, modelgate::GateMode::enforce);
  EXPECT_FALSE(p.formats);
  EXPECT_EQ(parse(json::object()), std::nullopt);  // no schema: policy/1, as before
  EXPECT_NE(parse({{"schema", "modelgate.policy/1"}, {"mode", "dry-run"}}), std::nullopt);
  EXPECT_NE(parse({{"mode", "dry-run"}}), std::nullopt);
  EXPECT_NE(parse({{"schema", "modelgate.policy/3"}}), std::nullopt);
}

TEST(GatePolicy, UnknownKeysAreRefusedAtEveryLevel) {
  const std::vector<std::vector<std::string>> objects = {
      {}, {"formats"}, {"pickle"}, {"signature"}, {"licenses"}};
  for (const auto& path : objects) {
    json j = full_policy();
    json* at = &j;
    for (const auto& k : path) at = &(*at)[k];
    (*at)["requried"] = true;
    auto err = parse(j);
    ASSERT_NE(err, std::nullopt) << j.dump();
    EXPECT_NE(err->find("unknown key \"requried\""), std::string::npos) << *err;
  }
  for (const char* array : {"legacy", "waivers"}) {
    json j = full_policy();
    j[array][0]["expiry"] = "x";
    EXPECT_NE(parse(j), std::nullopt) << array;
  }
  json id = full_policy();
  id["signature"]["identities"][0]["san"] = "x";
  EXPECT_NE(parse(id), std::nullopt);
  json limit = full_policy();
  limit["limits"]["max_everything"] = 1;
  EXPECT_NE(parse(limit)->find("unknown limit"), std::string::npos);
}

TEST(GatePolicy, WrongTypesAndValuesAreRefused) {
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"mode", R"("audit")"},
      {"mode", "true"},
      {"formats", R"({"allow": "json"})"},
      {"pickle", R"({"allow": "yes"})"},
      {"legacy", R"([{"reason": "no target"}])"},
      {"legacy", R"([{"sha256": "ABC", "reason": "r"}])"},
      {"signature", R"({"required": true})"},
      {"signature", R"({"identities": [{"issuer": "i"}]})"},
      {"signature", R"({"identities": [{"issuer": "i", "subject": "a", "subject_regex": "b"}]})"},
      {"signature", R"({"identities": [{"issuer": "i", "subject_regex": "("}]})"},
      {"limits", R"({"max_json_depth": -1})"},
      {"limits", R"({"max_json_depth": 1.5})"},
      {"limits", R"({"max_json_depth": 8589934592})"},
      {"licenses", R"({"unknown": "maybe"})"},
      {"allow_status", R"(["clean"])"},
      {"waivers", R"([{"sha256": ")" + kDigest + R"(", "rule": "MG-NO-SUCH-RULE", "expires": "2027-01-01", "reason": "r"}])"},
      {"waivers", R"([{"sha256": ")" + kDigest + R"(", "rule": "MG-GATE-STATUS", "expires": "2027-13-01", "reason": "r"}])"},
      {"waivers", R"([{"sha256": ")" + kDigest + R"(", "rule": "MG-GATE-STATUS", "expires": "2027-01-01"}])"},
  };
  for (const auto& [key, value] : edits) {
    json j = full_policy();
    j[key] = json::parse(value);
    EXPECT_NE(parse(j), std::nullopt) << j.dump();
  }
  EXPECT_FALSE(modelgate::parse_gate_policy("{\"schema\": \"modelgate.policy/2\", \"mode\": \"enforce\", \"mode\": \"dry-run\"}", "").ok())
      << "a repeated key is refused, not resolved";
}

TEST(GatePolicy, ScanReadsTheScanKeysOfEitherSchema) {
  TempDir tmp;
  write_file(tmp / "p.json", full_policy().dump());
  auto scan_policy = modelgate::load_policy(tmp / "p.json");
  ASSERT_TRUE(scan_policy.ok());
  EXPECT_EQ(scan_policy->profiles, std::vector<std::string>{"torch"});
}

// How many members an aggregate has: the most initialisers it accepts.
struct AnyValue {
  template <class T>
  operator T() const { return T{}; }
};
template <class T, class... Given>
constexpr std::size_t member_count() {
  if constexpr (requires { T{Given{}..., AnyValue{}}; }) return member_count<T, Given..., AnyValue>();
  else return sizeof...(Given);
}

TEST(GatePolicy, LimitFieldsNameEveryMemberOfLimits) {
  EXPECT_EQ(member_count<modelgate::Limits>(), modelgate::limit_fields().size())
      << "a member of Limits has no name in limit_fields() (the rule-set digest and policies would miss it)";
  std::set<std::string_view> names;
  std::set<std::size_t> offsets;
  modelgate::Limits probe;
  for (const auto& f : modelgate::limit_fields()) {
    names.insert(f.name);
    std::visit([&](auto m) { offsets.insert(reinterpret_cast<const char*>(&(probe.*m)) - reinterpret_cast<const char*>(&probe)); },
               f.member);
  }
  EXPECT_EQ(names.size(), modelgate::limit_fields().size());
  EXPECT_EQ(offsets.size(), modelgate::limit_fields().size()) << "two names for one member";
  // The published schema lists the same names.
  json schema = json::parse(read_file(source_dir() / "docs/policy.schema.json"));
  std::vector<std::string> published = schema["$defs"]["limit_name"]["enum"];
  std::vector<std::string> named;
  for (const auto& f : modelgate::limit_fields()) named.emplace_back(f.name);
  EXPECT_EQ(published, named);
}

// Ajv (npm, tools/) against the parser, document by document: both accept or both refuse.
TEST(GatePolicy, PublishedSchemaAgreesWithTheParser) {
  fs::path ajv = source_dir() / "tools/node_modules/ajv/dist/2020.js";
  ASSERT_TRUE(fs::exists(ajv)) << "run scripts/setup (installs ajv into tools/)";
  std::vector<json> documents = {full_policy(), json::object(), json{{"schema", "modelgate.policy/1"}, {"profiles", {"torch"}}},
                                 json{{"schema", "modelgate.policy/2"}},
                                 json{{"schema", "modelgate.policy/2"}, {"mode", "dry-run"}, {"pickle", {{"allow", false}}}}};
  auto variant = [&](auto edit) {
    json j = full_policy();
    edit(j);
    documents.push_back(j);
  };
  variant([](json& j) { j["extra"] = 1; });
  variant([](json& j) { j["formats"]["allowed"] = json::array(); });
  variant([](json& j) { j["pickle"]["allow"] = "no"; });
  variant([](json& j) { j["mode"] = "audit"; });
  variant([](json& j) { j["legacy"][0].erase("reason"); });
  variant([](json& j) { j["legacy"][0].erase("sha256"); j["legacy"][0].erase("path"); });
  variant([](json& j) { j["signature"]["identities"][0].erase("issuer"); });
  variant([](json& j) { j["signature"]["identities"][0]["subject"] = "x"; });
  variant([](json& j) { j["signature"] = {{"required", true}}; });
  variant([](json& j) { j["limits"]["max_json_bytes"] = -5; });
  variant([](json& j) { j["limits"]["max_bogus"] = 5; });
  variant([](json& j) { j["licenses"]["unknown"] = "perhaps"; });
  variant([](json& j) { j["allow_status"] = {"clean"}; });
  variant([](json& j) { j["waivers"][0]["expires"] = "31/01/2027"; });
  variant([](json& j) { j["waivers"][0].erase("reason"); });
  variant([](json& j) { j["waivers"][0]["sha256"] = "abc"; });
  variant([](json& j) { j["schema"] = "modelgate.policy/9"; });
  TempDir tmp;
  write_file(tmp / "documents.json", json(documents).dump());
  write_file(tmp / "check.js",
             "const Ajv = require(process.argv[2]).default;\n"
             "const fs = require('fs');\n"
             "const ajv = new Ajv({strict: true, strictRequired: false, allErrors: true});\n"
             "const validate = ajv.compile(JSON.parse(fs.readFileSync(process.argv[3], 'utf8')));\n"
             "for (const d of JSON.parse(fs.readFileSync(process.argv[4], 'utf8'))) console.log(validate(d) ? 'valid' : 'invalid');\n");
  auto r = run("node " + (tmp / "check.js").string() + " " + ajv.string() + " " + (source_dir() / "docs/policy.schema.json").string() +
               " " + (tmp / "documents.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.output);
  for (const auto& d : documents) {
    std::string verdict;
    ASSERT_TRUE(std::getline(lines, verdict)) << r.output;
    auto err = parse(d);
    EXPECT_EQ(verdict == "valid", !err.has_value()) << d.dump() << "\najv: " << verdict << "\nparser: " << err.value_or("accepted");
  }
}

}  // namespace

}  // namespace gate_policy_test
