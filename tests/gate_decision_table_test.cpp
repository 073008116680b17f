// The gate's decision table, end to end through `modelgate admit`: one fixture per row, each
// asserting the decision JSON (shape, decision, would_deny, the rule that decides) and the exit code.
#include <gtest/gtest.h>

#include "core/content_digest.h"
#include "gate_test_util.h"

namespace gate_decision_table_test {

namespace {

using namespace mgtest;
using nlohmann::json;

std::string sha256_of(const std::string& bytes) { return modelgate::sha256_hex(modelgate::as_byte_view(bytes)); }

class GateDecisionTable : public ::testing::Test {
 protected:
  // A model directory holding `files` (name -> bytes).
  fs::path model(const std::string& name, const std::map<std::string, std::string>& files) {
    fs::path dir = tmp_ / name;
    fs::create_directories(dir);
    for (const auto& [file, bytes] : files) write_file(dir / file, bytes);
    return dir;
  }
  fs::path policy(const json& body) {
    fs::path p = tmp_ / ("policy" + std::to_string(++policies_) + ".json");
    json j = body;
    j["schema"] = "modelgate.policy/2";
    write_file(p, j.dump());
    return p;
  }
  AdmitRun admit(const fs::path& model, const fs::path& policy, const std::string& extra = "") {
    return run_admit(q(model) + " --policy " + q(policy) + " " + extra);
  }
  // The one result of `id` whose subject ends with `subject_suffix`.
  static json result_of(const AdmitRun& r, const std::string& id, const std::string& subject_suffix = "") {
    for (const auto& e : rule_results(r.decision, id)) {
      std::string s = e["subject"];
      if (s.size() >= subject_suffix.size() && s.compare(s.size() - subject_suffix.size(), subject_suffix.size(), subject_suffix) == 0)
        return e;
    }
    return json();
  }
  static void expect_decision(const AdmitRun& r, const std::string& decision, bool would_deny, int exit_code) {
    ASSERT_TRUE(decision_has_schema_shape(r.decision)) << r.stdout_text << r.stderr_text;
    EXPECT_EQ(r.decision["decision"], decision) << r.stdout_text;
    EXPECT_EQ(r.decision["would_deny"], would_deny) << r.stdout_text;
    EXPECT_EQ(r.exit_code, exit_code) << r.stdout_text << r.stderr_text;
  }

  TempDir tmp_;
  int policies_ = 0;
};

const std::map<std::string, std::string> kPlainModel = {{"data.json", "{\"a\": 1}"}};

TEST_F(GateDecisionTable, UnsignedModelWhenASignatureIsRequired) {
  SigningKey trusted(tmp_, "trusted");
  auto r = admit(model("m", kPlainModel), policy({{"signature", {{"required", true}, {"keys", {trusted.public_pem.string()}}}}}));
  expect_decision(r, "deny", true, 1);
  auto sig = result_of(r, "MG-GATE-SIGNATURE");
  EXPECT_EQ(sig["result"], "fail");
  EXPECT_NE(sig["evidence"].get<std::string>().find("no signature"), std::string::npos) << sig;
}

TEST_F(GateDecisionTable, ModelSignedByTheTrustedKeyIsAdmitted) {
  SigningKey trusted(tmp_, "trusted");
  fs::path m = model("m", kPlainModel);
  ASSERT_EQ(sign_model(m, trusted), "");
  auto r = admit(m, policy({{"signature", {{"required", true}, {"keys", {trusted.public_pem.string()}}}}}));
  expect_decision(r, "allow", false, 0);
  EXPECT_EQ(result_of(r, "MG-GATE-SIGNATURE")["result"], "pass");
  // model.sig is not part of the model: no verdict of its own.
  EXPECT_TRUE(result_of(r, "MG-GATE-STATUS", "/model.sig").is_null()) << r.stdout_text;
}

TEST_F(GateDecisionTable, ModelSignedByAnUnknownKey) {
  SigningKey trusted(tmp_, "trusted"), stranger(tmp_, "stranger");
  fs::path m = model("m", kPlainModel);
  ASSERT_EQ(sign_model(m, stranger), "");
  auto r = admit(m, policy({{"signature", {{"required", true}, {"keys", {trusted.public_pem.string()}}}}}));
  expect_decision(r, "deny", true, 1);
  auto sig = result_of(r, "MG-GATE-SIGNATURE");
  EXPECT_EQ(sig["result"], "fail");
  EXPECT_NE(sig["evidence"].get<std::string>().find("did not verify"), std::string::npos) << sig;
}

TEST_F(GateDecisionTable, SigstoreIdentityBySubjectPattern) {
  // The model-transparency v1.1.0 keyless vector, verified offline with the shipped trusted root.
  fs::path src = source_dir() / "tests/fixtures/oms/model-transparency/v1.1.0-sigstore";
  fs::path m = model("m", {{"signme-1", read_file(src / "signme-1")}, {"signme-2", read_file(src / "signme-2")},
                           {"model.sig", read_file(src / "model.sig")}});
  json identity = {{"issuer", "https://sigstore.verify.ibm.com/oauth2"}, {"subject_regex", "^[a-z]+@us\\.ibm\\.com$"}};
  auto r = admit(m, policy({{"signature", {{"required", true}, {"identities", {identity}}}}, {"allow_status", {"safe", "unverified"}}}));
  expect_decision(r, "allow", false, 0);
  EXPECT_NE(result_of(r, "MG-GATE-SIGNATURE")["evidence"].get<std::string>().find("sigstore"), std::string::npos);
  identity["subject_regex"] = "^[a-z]+@example\\.com$";
  auto other = admit(m, policy({{"signature", {{"required", true}, {"identities", {identity}}}}, {"allow_status", {"safe", "unverified"}}}));
  expect_decision(other, "deny", true, 1);
  EXPECT_NE(result_of(other, "MG-GATE-SIGNATURE")["evidence"].get<std::string>().find("policy's pattern"), std::string::npos);
}

TEST_F(GateDecisionTable, PickleWithoutTheLegacyFlag) {
  auto r = admit(model("m", {{"model.pkl", safe_pickle()}}), policy({{"pickle", {{"require_legacy_flag", true}}}}));
  expect_decision(r, "deny", true, 1);
  EXPECT_EQ(result_of(r, "MG-GATE-PICKLE-LEGACY", "/model.pkl")["result"], "fail");
  EXPECT_EQ(result_of(r, "MG-GATE-STATUS", "/model.pkl")["result"], "pass");
}

TEST_F(GateDecisionTable, PickleFlaggedLegacy) {
  fs::path m = model("m", {{"model.pkl", safe_pickle()}});
  auto r = admit(m, policy({{"pickle", {{"require_legacy_flag", true}}},
                            {"legacy", {{{"sha256", sha256_of(safe_pickle())}, {"reason", "sklearn baseline, ticket 42"}}}}}));
  expect_decision(r, "allow", false, 0);
  auto legacy = result_of(r, "MG-GATE-PICKLE-LEGACY", "/model.pkl");
  EXPECT_EQ(legacy["result"], "pass");
  EXPECT_EQ(legacy["evidence"], "flagged legacy: sklearn baseline, ticket 42");
  // By path as well; a path entry with the wrong content hash does not match.
  auto by_path = admit(m, policy({{"pickle", {{"require_legacy_flag", true}}}, {"legacy", {{{"path", "model.pkl"}, {"reason", "r"}}}}}));
  expect_decision(by_path, "allow", false, 0);
  auto wrong = admit(m, policy({{"pickle", {{"require_legacy_flag", true}}},
                                {"legacy", {{{"path", "model.pkl"}, {"sha256", std::string(64, '0')}, {"reason", "r"}}}}}));
  expect_decision(wrong, "deny", true, 1);
}

TEST_F(GateDecisionTable, PickleRefusedOutrightOrWithoutSignature) {
  fs::path m = model("m", {{"model.pkl", safe_pickle()}});
  auto none = admit(m, policy({{"pickle", {{"allow", false}}}}));
  expect_decision(none, "deny", true, 1);
  EXPECT_EQ(result_of(none, "MG-GATE-PICKLE", "/model.pkl")["result"], "fail");
  SigningKey trusted(tmp_, "trusted");
  auto unsigned_pickle = admit(m, policy({{"pickle", {{"require_signature", true}}}, {"signature", {{"keys", {trusted.public_pem.string()}}}}}));
  expect_decision(unsigned_pickle, "deny", true, 1);
  EXPECT_EQ(result_of(unsigned_pickle, "MG-GATE-PICKLE-SIGNATURE", "/model.pkl")["result"], "fail");
  ASSERT_EQ(sign_model(m, trusted), "");
  auto signed_pickle = admit(m, policy({{"pickle", {{"require_signature", true}}}, {"signature", {{"keys", {trusted.public_pem.string()}}}}}));
  expect_decision(signed_pickle, "allow", false, 0);
}

TEST_F(GateDecisionTable, FormatOutsideTheAllowlist) {
  fs::path m = model("m", {{"data.json", "{\"a\": 1}"}, {"model.pkl", safe_pickle()}});
  auto r = admit(m, policy({{"formats", {{"allow", {"json", "safetensors"}}}}}));
  expect_decision(r, "deny", true, 1);
  auto f = result_of(r, "MG-GATE-FORMAT", "/model.pkl");
  EXPECT_EQ(f["result"], "fail");
  EXPECT_NE(f["evidence"].get<std::string>().find("pickle"), std::string::npos);
  EXPECT_EQ(result_of(r, "MG-GATE-FORMAT", "/data.json")["result"], "pass");
  auto denied = admit(m, policy({{"formats", {{"deny", {"pickle"}}}}}));
  expect_decision(denied, "deny", true, 1);
}

TEST_F(GateDecisionTable, ArchiveIsJudgedByItsMembers) {
  // A pytorch-zip holds a pickle: allowing the container's format alone does not admit it.
  TempDir fixtures;
  auto gen = run(python() + " -c \"import torch; torch.save({'w': torch.zeros(2)}, '" + (fixtures / "m.pt").string() + "')\"");
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  fs::path m = model("m", {{"m.pt", read_file(fixtures / "m.pt")}});
  auto r = admit(m, policy({{"formats", {{"allow", {"pytorch-zip", "text"}}}}}));
  expect_decision(r, "deny", true, 1);
  EXPECT_NE(result_of(r, "MG-GATE-FORMAT", "/m.pt")["evidence"].get<std::string>().find("pickle ("), std::string::npos);
  auto with_pickle = admit(m, policy({{"formats", {{"allow", {"pytorch-zip", "text", "pickle"}}}}}));
  expect_decision(with_pickle, "allow", false, 0);
}

TEST_F(GateDecisionTable, LicenceOutsideTheAllowlistFromAModelCard) {
  fs::path m = model("m", {{"README.md", "---\nlicense: mit\n---\n# A model\n"}, {"data.json", "{}"}});
  auto r = admit(m, policy({{"licenses", {{"allow", {"apache-2.0"}}}}}));
  expect_decision(r, "deny", true, 1);
  EXPECT_EQ(result_of(r, "MG-GATE-LICENSE")["evidence"], "licence not allowed: mit");
  auto ok = admit(m, policy({{"licenses", {{"allow", {"MIT"}}}}}));
  expect_decision(ok, "allow", false, 0);
}

TEST_F(GateDecisionTable, LicenceOutsideTheAllowlistFromGgufMetadata) {
  // GGUF v3: magic, version, 0 tensors, 1 metadata entry general.license = "mit" (string, type 8).
  std::string gguf = "GGUF";
  auto u32 = [&](std::uint32_t v) { for (int i = 0; i < 4; ++i) gguf.push_back(static_cast<char>(v >> (8 * i))); };
  auto u64 = [&](std::uint64_t v) { for (int i = 0; i < 8; ++i) gguf.push_back(static_cast<char>(v >> (8 * i))); };
  auto str = [&](const std::string& s) { u64(s.size()); gguf += s; };
  u32(3); u64(0); u64(1); str("general.license"); u32(8); str("mit");
  fs::path m = model("m", {{"model.gguf", gguf}});
  auto r = admit(m, policy({{"licenses", {{"deny", {"mit"}}}}}));
  expect_decision(r, "deny", true, 1);
  EXPECT_EQ(result_of(r, "MG-GATE-LICENSE")["result"], "fail");
}

TEST_F(GateDecisionTable, UnknownLicenceIsItsOwnOutcome) {
  fs::path m = model("m", kPlainModel);
  auto r = admit(m, policy({{"licenses", {{"allow", {"mit"}}}}}));
  expect_decision(r, "deny", true, 1);
  EXPECT_EQ(result_of(r, "MG-GATE-LICENSE")["evidence"], "licence unknown: no model card or config states one");
  auto tolerated = admit(m, policy({{"licenses", {{"allow", {"mit"}}, {"unknown", "allow"}}}}));
  expect_decision(tolerated, "allow", false, 0);
}

TEST_F(GateDecisionTable, ExpiredWaiver) {
  fs::path m = model("m", {{"model.pkl", unverified_pickle()}});
  json waiver = {{"sha256", sha256_of(unverified_pickle())}, {"rule", "MG-PICKLE-GLOBAL-UNLISTED"}, {"reason", "vendor fix pending"}};
  waiver["expires"] = "2000-01-01";
  auto expired = admit(m, policy({{"waivers", {waiver}}}));
  expect_decision(expired, "deny", true, 1);
  auto status = result_of(expired, "MG-GATE-STATUS", "/model.pkl");
  EXPECT_EQ(status["result"], "fail");
  EXPECT_NE(status["evidence"].get<std::string>().find("expired on 2000-01-01"), std::string::npos) << status;
  waiver["expires"] = "2999-12-31";
  auto live = admit(m, policy({{"waivers", {waiver}}}));
  expect_decision(live, "allow", false, 0);
  EXPECT_EQ(result_of(live, "MG-GATE-STATUS", "/model.pkl")["result"], "waived");
}

TEST_F(GateDecisionTable, WaiverCannotCoverUnsafe) {
  fs::path m = model("m", {{"model.pkl", unsafe_pickle()}});
  std::string digest = sha256_of(unsafe_pickle());
  json waivers = json::array();
  for (const char* rule : {"MG-PICKLE-GLOBAL-DANGEROUS", "MG-GATE-STATUS"})
    waivers.push_back({{"sha256", digest}, {"rule", rule}, {"expires", "2999-12-31"}, {"reason", "trust me"}});
  auto r = admit(m, policy({{"waivers", waivers}, {"allow_status", {"safe", "unverified", "refused"}}}));
  expect_decision(r, "deny", true, 1);
  auto status = result_of(r, "MG-GATE-STATUS", "/model.pkl");
  EXPECT_EQ(status["result"], "fail");
  EXPECT_NE(status["evidence"].get<std::string>().find("a waiver cannot cover an unsafe verdict"), std::string::npos) << status;
}

TEST_F(GateDecisionTable, DryRunAdmitsAndSaysItWouldDeny) {
  fs::path m = model("m", {{"model.pkl", unsafe_pickle()}});
  auto r = admit(m, policy({{"mode", "dry-run"}}));
  expect_decision(r, "allow", true, 0);
  EXPECT_EQ(r.decision["mode"], "dry-run");
  EXPECT_EQ(result_of(r, "MG-GATE-STATUS", "/model.pkl")["result"], "fail");
  auto clean = admit(model("clean", kPlainModel), policy({{"mode", "dry-run"}}));
  expect_decision(clean, "allow", false, 0);
}

TEST_F(GateDecisionTable, RefusedFile) {
  // A pickle cut before STOP cannot be read completely: refused, and refused is not admitted.
  fs::path m = model("m", {{"model.pkl", std::string("\x80\x02}q\x00(X", 7)}});
  auto r = admit(m, policy(json::object()));
  expect_decision(r, "deny", true, 1);
  auto status = result_of(r, "MG-GATE-STATUS", "/model.pkl");
  EXPECT_EQ(status["result"], "fail");
  EXPECT_EQ(status["evidence"].get<std::string>().rfind("refused: ", 0), 0u) << status;
}

TEST_F(GateDecisionTable, OverLimitFile) {
  fs::path m = model("m", {{"big.json", "{\"padding\": \"" + std::string(200, 'x') + "\"}"}, {"data.json", "{}"}});
  auto r = admit(m, policy({{"limits", {{"max_json_bytes", 64}}}}));
  expect_decision(r, "deny", true, 1);
  auto status = result_of(r, "MG-GATE-STATUS", "/big.json");
  EXPECT_EQ(status["result"], "fail");
  EXPECT_NE(status["evidence"].get<std::string>().find("MG-LIMIT-EXCEEDED"), std::string::npos) << status;
  EXPECT_EQ(result_of(r, "MG-GATE-STATUS", "/data.json")["result"], "pass");
}

TEST_F(GateDecisionTable, ErrorIsNeverAnAllow) {
  fs::path p = policy({{"mode", "dry-run"}});
  auto missing = admit(tmp_ / "does-not-exist", p);
  expect_decision(missing, "deny", true, 2);
  EXPECT_EQ(rule_results(missing.decision, "MG-GATE-ERROR").size(), 1u);
  SigningKey trusted(tmp_, "trusted");
  fs::path bad_key_policy = policy({{"signature", {{"required", true}, {"keys", {(tmp_ / "no-such-key.pem").string()}}}}});
  fs::path m = model("m", kPlainModel);
  ASSERT_EQ(sign_model(m, trusted), "");
  auto bad_key = admit(m, bad_key_policy);
  expect_decision(bad_key, "deny", true, 2);
  auto bad_policy = run_admit(q(m) + " --policy " + q(tmp_ / "nope.json"));
  EXPECT_EQ(bad_policy.exit_code, 2);
}

}  // namespace

}  // namespace gate_decision_table_test
