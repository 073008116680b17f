// `modelgate admit`: scan (through the inventory when there is one), verify, evaluate, record.
#include <ctime>

#include "core/json_text.h"
#include "gate/gate_rule_ids.h"
#include "modelgate/inventory.h"
#include "gate/inventory_cache.h"
#include "gate/model_signature.h"
#include "modelgate/gate.h"
#include "modelgate/scan.h"
#include "core/sandbox_layers_json.h"

namespace modelgate {

namespace fs = std::filesystem;

namespace {

std::string utc_date() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

// The bundle for one model: --signature, else model.sig inside a directory when present.
fs::path signature_bundle(const fs::path& model, const fs::path& given, const ArtifactReport& report) {
  if (!given.empty()) return given;
  if (report.format != "directory") return {};
  std::error_code ec;
  fs::path inside = model / "model.sig";
  return fs::is_regular_file(fs::symlink_status(inside, ec)) ? inside : fs::path();
}

// The signature is not part of the model: its own report leaves the directory's.
void drop_signature_report(ArtifactReport& dir, const fs::path& model, const fs::path& bundle) {
  if (dir.format != "directory" || bundle.empty()) return;
  std::error_code ec;
  fs::path relative = fs::relative(fs::weakly_canonical(bundle, ec), fs::weakly_canonical(model, ec), ec);
  if (ec || relative.empty() || *relative.begin() == "..") return;
  std::string origin = dir.origin + "/" + relative.generic_string();
  std::erase_if(dir.children, [&](const ArtifactReport& c) { return c.origin == origin; });
  dir.finalize();
}

void collect_files(const ArtifactReport& r, std::vector<DecisionFile>& out) {
  if (r.format == "directory") {
    for (const auto& c : r.children) collect_files(c, out);
  } else if (!r.sha256.empty()) {
    out.push_back({r.sha256, r.origin});
  }
}

nlohmann::json rules_json(const GateDecision& d) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : d.rules)
    rules.push_back({{"id", r.id}, {"result", r.result}, {"subject", r.subject}, {"evidence", r.evidence}});
  return rules;
}

const char* mode_name(GateMode m) { return m == GateMode::dry_run ? "dry-run" : "enforce"; }

}  // namespace

GateDecision admit(const AdmitOptions& options) {
  std::vector<std::string> errors;
  std::unique_ptr<Inventory> inventory;
  if (!options.store.empty()) {
    auto opened = open_inventory(options.store);
    if (!opened) {
      GateDecision failed = evaluate_gate(options.policy, {}, utc_date(), {opened.error().message()});
      return failed;
    }
    inventory = std::move(*opened);
  }
  std::optional<InventoryCache> cache;
  if (inventory) cache.emplace(*inventory);

  ScanOptions scan;
  scan.limits = options.policy.limits;
  scan.policy = options.policy.scan;
  scan.threads = options.threads;
  scan.progress = options.progress;
  scan.hash_contents = true;
  scan.cache = cache ? &*cache : nullptr;
  scan.sandbox = options.sandbox;
  if (!options.signature.empty() && options.paths.size() != 1)
    errors.push_back("--signature names the bundle of one model: give exactly one PATH with it");
  ScanResult result = scan_paths(options.paths, scan);
  for (auto& e : result.errors) errors.push_back(std::move(e));

  SignatureReading where{options.sandbox, options.policy.limits.worker_timeout_ms};
  std::vector<AdmittedModel> models;
  for (auto& report : result.artifacts) {
    fs::path model(report.origin);
    fs::path bundle = signature_bundle(model, options.signature, report);
    drop_signature_report(report, model, bundle);
    models.push_back({report.origin, &report, check_model_signature(model, bundle, options.policy.signature, where, errors)});
  }
  if (cache)
    for (auto& e : cache->errors()) errors.push_back(std::move(e));
  GateDecision decision = evaluate_gate(options.policy, models, utc_date(), errors);
  decision.sandbox = result.sandbox;
  if (inventory) {
    decision.store = inventory->display_uri();
    decision.hits = cache->hits();
    decision.misses = cache->misses();
    DecisionRecord record;
    record.recorded_at = utc_timestamp();
    record.decision = decision.allow ? "allow" : "deny";
    record.mode = mode_name(decision.mode);
    record.would_deny = decision.would_deny;
    record.policy_sha256 = decision.policy_sha256;
    nlohmann::json paths = nlohmann::json::array();
    for (const auto& p : options.paths) paths.push_back(p.string());
    record.paths = json_text(paths);
    record.rules = json_text(rules_json(decision));
    for (const auto& r : result.artifacts) collect_files(r, record.files);
    if (auto r = inventory->record_decision(record); !r) {
      // An admission that could not be recorded is not an admission.
      decision.errors.push_back("the decision could not be recorded: " + r.error().message());
      decision.rules.push_back({std::string(gate_rule::kError), "fail", "", decision.errors.back()});
      decision.allow = false;
      decision.would_deny = true;
    }
  } else {
    for (const auto& r : result.artifacts) {
      std::vector<DecisionFile> files;
      collect_files(r, files);
      decision.misses += files.size();
    }
  }
  return decision;
}

std::string decision_json(const GateDecision& d) {
  nlohmann::json j = {{"schema", kDecisionSchema},
                      {"decision", d.allow ? "allow" : "deny"},
                      {"mode", mode_name(d.mode)},
                      {"would_deny", d.would_deny},
                      {"rules", rules_json(d)},
                      {"policy_sha256", d.policy_sha256},
                      {"inventory",
                       {{"store", d.store.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.store)},
                        {"hits", d.hits},
                        {"misses", d.misses}}},
                      {"sandbox", sandbox_layers_json(d.sandbox)}};
  return json_text(j, 2) + "\n";
}

}  // namespace modelgate
