// The gate's evaluator over reports built in code (licences, waivers, formats of members), and the
// stored-report codec the inventory reads back as untrusted input.
#include <gtest/gtest.h>

#include "gate/stored_report.h"
#include "modelgate/gate.h"
#include "modelgate/rules.h"
#include "modelgate/version.h"
#include "test_util.h"

namespace gate_evaluate_test {

namespace {

using namespace modelgate;

const std::string kFileDigest(64, 'b');

ArtifactReport file(const std::string& origin, const std::string& format, std::vector<std::string> rules = {}) {
  ArtifactReport r;
  r.origin = origin;
  r.format = format;
  r.sha256 = kFileDigest;
  for (const auto& id : rules) r.add(make_finding(*find_rule(id), origin, std::nullopt, "seen"));
  r.finalize();
  return r;
}

ArtifactReport directory(std::vector<ArtifactReport> children) {
  ArtifactReport d;
  d.origin = "m";
  d.format = "directory";
  d.children = std::move(children);
  d.finalize();
  return d;
}

GateDecision judge(const GatePolicy& policy, const ArtifactReport& model, std::string today = "2026-06-01") {
  return evaluate_gate(policy, {{"m", &model, {}}}, today, {});
}

const GateRuleResult* find(const GateDecision& d, std::string_view id, std::string_view subject = "") {
  for (const auto& r : d.rules)
    if (r.id == id && (subject.empty() || r.subject == subject)) return &r;
  return nullptr;
}

ArtifactReport with_licence(const std::string& licence) {
  ArtifactReport card = file("m/README.md", "model-card");
  card.model.license = licence;
  return directory({card, file("m/w.safetensors", "safetensors")});
}

TEST(GateEvaluate, LicenceAllowDenyAndUnknown) {
  GatePolicy p;
  p.licenses = LicenseRule{std::vector<std::string>{"apache-2.0", "MIT"}, {"gpl-3.0"}, false};
  EXPECT_TRUE(judge(p, with_licence("mit")).allow);  // SPDX ids compare without regard to case
  auto outside = judge(p, with_licence("cc-by-nc-4.0"));
  EXPECT_FALSE(outside.allow);
  EXPECT_EQ(find(outside, "MG-GATE-LICENSE")->evidence, "licence not allowed: cc-by-nc-4.0");
  p.licenses->allow.reset();
  EXPECT_FALSE(judge(p, with_licence("GPL-3.0")).allow);
  EXPECT_TRUE(judge(p, with_licence("bsd-3-clause")).allow);
  auto unknown = judge(p, directory({file("m/w.safetensors", "safetensors")}));
  EXPECT_FALSE(unknown.allow);
  EXPECT_EQ(find(unknown, "MG-GATE-LICENSE")->evidence, "licence unknown: no model card or config states one");
  p.licenses->allow_unknown = true;
  EXPECT_TRUE(judge(p, directory({file("m/w.safetensors", "safetensors")})).allow);
  // A second licence stated elsewhere in the model is judged too.
  ArtifactReport two = with_licence("mit");
  two.children[1].model.license = "gpl-3.0";
  EXPECT_FALSE(judge(p, two).allow);
}

TEST(GateEvaluate, WaiverCoversEveryFailingRuleOrNothing) {
  GatePolicy p;
  ArtifactReport m = directory({file("m/a.pkl", "pickle", {"MG-PICKLE-GLOBAL-UNLISTED", "MG-FORMAT-UNRECOGNISED"})});
  p.waivers = {{kFileDigest, "MG-PICKLE-GLOBAL-UNLISTED", "2026-06-01", "one of two"}};
  EXPECT_EQ(find(judge(p, m), "MG-GATE-STATUS")->result, "fail");
  p.waivers.push_back({kFileDigest, "MG-FORMAT-UNRECOGNISED", "2026-06-01", "the other"});
  EXPECT_EQ(find(judge(p, m), "MG-GATE-STATUS")->result, "waived");  // the expiry day itself still counts
  EXPECT_EQ(find(judge(p, m, "2026-06-02"), "MG-GATE-STATUS")->result, "fail");
  // Another file's hash waives nothing.
  p.waivers = {{std::string(64, 'c'), "MG-GATE-STATUS", "2999-01-01", "other file"}};
  EXPECT_EQ(find(judge(p, m), "MG-GATE-STATUS")->result, "fail");
  // A file that was not hashed cannot be matched.
  ArtifactReport unhashed = m;
  unhashed.children[0].sha256.clear();
  p.waivers = {{kFileDigest, "MG-GATE-STATUS", "2999-01-01", "all"}};
  EXPECT_EQ(find(judge(p, unhashed), "MG-GATE-STATUS")->result, "fail");
  EXPECT_EQ(find(judge(p, m), "MG-GATE-STATUS")->result, "waived");
}

TEST(GateEvaluate, NothingWaivesUnsafe) {
  GatePolicy p;
  p.scan.allowed_statuses = {Status::safe, Status::unverified, Status::refused};
  p.waivers = {{kFileDigest, "MG-GATE-STATUS", "2999-01-01", "x"}, {kFileDigest, "MG-PICKLE-GLOBAL-DANGEROUS", "2999-01-01", "x"}};
  auto d = judge(p, directory({file("m/a.pkl", "pickle", {"MG-PICKLE-GLOBAL-DANGEROUS"})}));
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(find(d, "MG-GATE-STATUS")->result, "fail");
}

TEST(GateEvaluate, FormatsOfMembersAndReadings) {
  GatePolicy p;
  p.formats = FormatRule{std::vector<std::string>{"zip", "json"}, {}};
  ArtifactReport zip = file("m/a.zip", "zip");
  zip.children.push_back(file("m/a.zip!/inner.pkl", "pickle"));
  auto d = judge(p, directory({zip}));
  EXPECT_FALSE(d.allow);
  EXPECT_NE(find(d, "MG-GATE-FORMAT")->evidence.find("pickle (m/a.zip!/inner.pkl)"), std::string::npos);
  // A pickle inside is pickle-based for the pickle rules too.
  p.formats.reset();
  p.pickle.allow = false;
  EXPECT_EQ(find(judge(p, directory({zip})), "MG-GATE-PICKLE", "m/a.zip")->result, "fail");
  EXPECT_EQ(find(judge(p, directory({file("m/x.json", "json")})), "MG-GATE-PICKLE")->result, "not-applicable");
}

TEST(GateEvaluate, DryRunAndErrors) {
  GatePolicy p;
  p.mode = GateMode::dry_run;
  ArtifactReport bad = directory({file("m/a.pkl", "pickle", {"MG-PICKLE-GLOBAL-DANGEROUS"})});
  auto d = judge(p, bad);
  EXPECT_TRUE(d.allow);
  EXPECT_TRUE(d.would_deny);
  EXPECT_EQ(decision_exit_code(d), 0);
  auto e = evaluate_gate(p, {}, "2026-01-01", {"the store is down"});
  EXPECT_FALSE(e.allow);
  EXPECT_EQ(decision_exit_code(e), 2);
  auto j = nlohmann::json::parse(decision_json(e));
  EXPECT_EQ(j["decision"], "deny");
  EXPECT_EQ(j["rules"][0]["id"], "MG-GATE-ERROR");
  EXPECT_TRUE(j["inventory"]["store"].is_null());
}

TEST(GateEvaluate, EveryGateRuleIsInTheCatalog) {
  for (const char* id : {"MG-GATE-STATUS", "MG-GATE-FORMAT", "MG-GATE-PICKLE", "MG-GATE-PICKLE-SIGNATURE", "MG-GATE-PICKLE-LEGACY",
                         "MG-GATE-SIGNATURE", "MG-GATE-LICENSE", "MG-GATE-ERROR"})
    EXPECT_NE(find_rule(id), nullptr) << id;
}

// --- the stored report, read back as untrusted input ---

ResultKey key_for(const ArtifactReport& r) { return {r.sha256, r.size, kVersion, std::string(64, 'd'), "a.pkl"}; }

ArtifactReport stored_sample() {
  ArtifactReport r = file("", "pytorch-zip");
  r.size = 1234;
  ArtifactReport inner = file("!/m/data.pkl", "pickle", {"MG-PICKLE-GLOBAL-UNLISTED"});
  inner.sha256.clear();
  r.children.push_back(inner);
  r.model.license = "mit";
  r.details.torch.emplace().tensors = 3;
  r.finalize();
  return r;
}

TEST(StoredReport, RoundTrips) {
  ArtifactReport r = stored_sample();
  auto back = decode_stored_report(encode_stored_report(r), key_for(r));
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_EQ(encode_stored_report(*back), encode_stored_report(r));
  EXPECT_EQ(back->status, Status::unverified);
  EXPECT_EQ(back->model.license, "mit");
}

TEST(StoredReport, EditedOrMalformedRowsAreRefused) {
  ArtifactReport r = stored_sample();
  std::string good = encode_stored_report(r);
  auto refused = [&](std::string text, ResultKey key) { return !decode_stored_report(text, key).ok(); };
  ResultKey key = key_for(r);
  auto edit = [&](auto fn) {
    nlohmann::json j = nlohmann::json::parse(good);
    fn(j);
    return j.dump();
  };
  EXPECT_TRUE(refused(good.substr(0, good.size() / 2), key));
  EXPECT_TRUE(refused("[]", key));
  EXPECT_TRUE(refused(std::string(100000, '[') + std::string(100000, ']'), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["status"] = "safe"; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["children"][0]["status"] = "safe"; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["children"][0]["findings"][0]["status"] = "safe"; j["children"][0]["status"] = "safe"; j["status"] = "safe"; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["children"][0]["findings"][0]["rule"] = "MG-NOT-A-RULE"; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["children"][0]["origin"] = "elsewhere"; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["children"][0]["findings"][0]["origin"] = "/etc"; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["origin"] = "/abs/path"; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["size"] = -1; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["extra"] = 1; }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j.erase("facts"); }), key));
  EXPECT_TRUE(refused(edit([](auto& j) { j["children"][0]["findings"][0]["severity"] = "apocalyptic"; }), key));
  ResultKey other = key;
  other.size = 1;
  EXPECT_TRUE(refused(good, other));
  other = key;
  other.sha256 = std::string(64, 'e');
  EXPECT_TRUE(refused(good, other));
}

}  // namespace

}  // namespace gate_evaluate_test
