#pragma once
// Helpers for the gate's tests: small model directories built in the test, policies, signing keys,
// and `modelgate admit` run with its decision JSON parsed.
#include <string>

#include <nlohmann/json.hpp>

#include "sign_test_util.h"
#include "test_util.h"

namespace mgtest {

inline std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Pickles the scanner reads without executing: a plain dict (safe), a global outside every
// allowlist and denylist (unverified), and a call the denylist knows (unsafe; it would only touch
// a file in /tmp if anything ever ran it).
inline std::string safe_pickle() { return std::string("\x80\x02}.", 4); }
inline std::string unverified_pickle() { return std::string("\x80\x02") + "cgate_fixture_module\nHelper\n)\x81."; }
inline std::string unsafe_pickle() { return "cos\nsystem\n(S'touch /tmp/modelgate-gate-canary'\ntR."; }

struct AdmitRun {
  int exit_code = -1;
  nlohmann::json decision;  // null when stdout was not JSON
  std::string stdout_text, stderr_text;
};

inline AdmitRun run_admit(const std::string& args) {
  TempDir out;
  auto r = run("(" + modelgate_binary() + " admit --format json " + args + " >" + q(out / "stdout") + " 2>" +
               q(out / "stderr") + ")");
  AdmitRun a;
  a.exit_code = r.exit_code;
  a.stdout_text = read_file(out / "stdout");
  a.stderr_text = read_file(out / "stderr");
  a.decision = nlohmann::json::parse(a.stdout_text, nullptr, false);
  if (a.decision.is_discarded()) a.decision = nullptr;
  return a;
}

// The results of rule `id` in a decision, as "result subject-suffix" strings are hard to read; the
// entries themselves are returned.
inline std::vector<nlohmann::json> rule_results(const nlohmann::json& decision, const std::string& id) {
  std::vector<nlohmann::json> out;
  if (!decision.is_object() || !decision.contains("rules")) return out;
  for (const auto& r : decision["rules"])
    if (r.value("id", "") == id) out.push_back(r);
  return out;
}

// Every key of the decision schema is present with its type, and no other key (modelgate.decision/2).
inline bool decision_has_schema_shape(const nlohmann::json& d) {
  if (!d.is_object() || d.size() != 8) return false;
  if (d.value("schema", "") != "modelgate.decision/2") return false;
  if (!d["decision"].is_string() || !d["mode"].is_string() || !d["would_deny"].is_boolean() || !d["rules"].is_array() ||
      !d["policy_sha256"].is_string() || !d["inventory"].is_object() || !d["sandbox"].is_object() ||
      !d["sandbox"]["mode"].is_string())
    return false;
  for (const auto& r : d["rules"])
    if (r.size() != 4 || !r["id"].is_string() || !r["result"].is_string() || !r["subject"].is_string() || !r["evidence"].is_string())
      return false;
  const auto& inv = d["inventory"];
  return inv.size() == 3 && (inv["store"].is_null() || inv["store"].is_string()) && inv["hits"].is_number_unsigned() &&
         inv["misses"].is_number_unsigned();
}

// An ECDSA P-256 key pair written as PEM files.
struct SigningKey {
  fs::path private_pem, public_pem;
  SigningKey(const TempDir& dir, const std::string& name) {
    auto key = generate_ec_key("P-256");
    private_pem = dir / (name + ".key");
    public_pem = dir / (name + ".pub");
    write_file(private_pem, private_key_pem(key.get()));
    write_file(public_pem, modelgate::sign::public_key_pem(key.get()));
  }
};

// Signs `model` into model/model.sig with `key`; returns the CLI's output on failure.
inline std::string sign_model(const fs::path& model, const SigningKey& key) {
  auto r = run(modelgate_binary() + " sign key --private-key " + q(key.private_pem) + " --signature " +
               q(model / "model.sig") + " " + q(model) + " </dev/null");
  return r.exit_code == 0 ? std::string() : r.output;
}

}  // namespace mgtest
