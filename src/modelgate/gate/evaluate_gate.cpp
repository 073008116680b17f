// The policy's rules over scanned, verified models. Pure: the same reports, signature outcomes,
// policy and date always give the same decision (the decision-table tests rely on it).
#include <algorithm>
#include <set>

#include "gate/gate_rule_ids.h"
#include "modelgate/gate.h"

namespace modelgate {

namespace {

// Formats whose loading runs the pickle machine: the file itself or a part of it.
bool is_pickle_format(std::string_view format) {
  static constexpr std::string_view kPickleBased[] = {"pickle",  "pytorch-zip", "torchscript", "pytorch-legacy",
                                                      "pytorch-legacy-tar", "joblib", "joblib-zf"};
  return std::find(std::begin(kPickleBased), std::end(kPickleBased), format) != std::end(kPickleBased);
}

template <class Fn>
void for_each_node(const ArtifactReport& r, Fn&& fn) {
  fn(r);
  for (const auto& c : r.children) for_each_node(c, fn);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool listed(const std::vector<std::string>& list, const std::string& item, bool ignore_case = false) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& e) { return ignore_case ? lower(e) == lower(item) : e == item; });
}

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(separator)) + i;
  return out;
}

class RuleEvaluation {
 public:
  RuleEvaluation(const GatePolicy& policy, std::string_view today, GateDecision& decision)
      : policy_(policy), today_(today), decision_(decision) {}

  void judge_model(const AdmittedModel& m) {
    std::vector<const ArtifactReport*> files;
    if (m.report->format == "directory") {
      for (const auto& c : m.report->children) files.push_back(&c);
      // Findings of the walk itself (unreadable entries, loops) belong to the directory.
      if (!m.report->findings.empty()) judge_walk(*m.report);
    } else {
      files.push_back(m.report);
    }
    bool any_pickle = false;
    for (const auto* f : files) any_pickle = judge_file(m, *f) || any_pickle;
    if (!any_pickle && (!policy_.pickle.allow || policy_.pickle.require_signature || policy_.pickle.require_legacy_flag))
      add(gate_rule::kPickle, "not-applicable", m.path, "no pickle-based file");
    judge_signature(m);
    if (policy_.licenses) judge_licence(m);
  }

 private:
  // The waiver for `rule` on the file with `sha256`, live or expired; nullptr when none.
  const Waiver* waiver_for(const std::string& sha256, std::string_view rule) const {
    if (sha256.empty()) return nullptr;
    const Waiver* found = nullptr;
    for (const auto& w : policy_.waivers)
      if (w.sha256 == sha256 && w.rule == rule && (found == nullptr || w.expires > found->expires)) found = &w;
    return found;
  }
  bool live(const Waiver& w) const { return w.expires >= today_; }

  // A failure on a file, turned into `waived` when a live waiver covers every rule in `rules`.
  void fail_or_waive(std::string_view id, const ArtifactReport& file, const std::vector<std::string>& rules,
                     const std::string& evidence) {
    std::vector<std::string> expired, reasons;
    bool covered = !rules.empty() && !file.sha256.empty();
    for (const auto& r : rules) {
      const Waiver* w = waiver_for(file.sha256, r);
      if (w == nullptr) w = waiver_for(file.sha256, id);
      if (w != nullptr && live(*w)) reasons.push_back(w->rule + " until " + w->expires + ": " + w->reason);
      else covered = false;
      if (w != nullptr && !live(*w)) expired.push_back(w->rule + " expired on " + w->expires);
    }
    if (covered) {
      add(id, "waived", file.origin, evidence + "; waived (" + join(reasons, "; ") + ")");
      return;
    }
    std::string note = expired.empty() ? "" : "; waiver " + join(expired);
    add(id, "fail", file.origin, evidence + note);
  }

  void judge_walk(const ArtifactReport& dir) {
    bool allowed = std::all_of(dir.findings.begin(), dir.findings.end(),
                               [&](const Finding& f) { return policy_.scan.allowed_statuses.count(f.status) > 0; });
    if (allowed) return;
    std::vector<std::string> seen;
    for (const auto& f : dir.findings) seen.push_back(std::string(to_string(f.status)) + " " + f.rule + ": " + f.message);
    add(gate_rule::kStatus, "fail", dir.origin, join(seen, "; "));
  }

  bool judge_file(const AdmittedModel& m, const ArtifactReport& file) {
    judge_status(file);
    if (policy_.formats) judge_formats(file);
    std::vector<std::string> pickle_parts;
    for_each_node(file, [&](const ArtifactReport& n) {
      if (is_pickle_format(n.format)) pickle_parts.push_back(n.format + " " + n.origin);
    });
    if (pickle_parts.empty()) return false;
    judge_pickle(m, file, pickle_parts);
    return true;
  }

  void judge_status(const ArtifactReport& file) {
    std::string status(to_string(file.status));
    if (policy_.scan.allowed_statuses.count(file.status)) {
      add(gate_rule::kStatus, "pass", file.origin, status);
      return;
    }
    std::set<std::string> rules;
    std::vector<std::string> seen;
    for (const Finding* f : file.all_findings()) {
      if (policy_.scan.allowed_statuses.count(f->status)) continue;
      rules.insert(f->rule);
      std::string what = f->rule + " at " + f->origin;
      if (!f->evidence.empty()) what += " (" + f->evidence + ")";
      seen.push_back(what);
    }
    std::string evidence = status + ": " + join(seen, "; ");
    if (file.status == Status::unsafe) {
      // Nothing turns `unsafe` into an admission: a waiver naming this file is reported, not applied.
      bool waiver_named = std::any_of(policy_.waivers.begin(), policy_.waivers.end(),
                                      [&](const Waiver& w) { return !file.sha256.empty() && w.sha256 == file.sha256; });
      add(gate_rule::kStatus, "fail", file.origin, evidence + (waiver_named ? "; a waiver cannot cover an unsafe verdict" : ""));
      return;
    }
    fail_or_waive(gate_rule::kStatus, file, {rules.begin(), rules.end()}, evidence);
  }

  void judge_formats(const ArtifactReport& file) {
    std::vector<std::string> outside;
    for_each_node(file, [&](const ArtifactReport& n) {
      // A PyTorch storage record is the tensor bytes of the checkpoint that holds it (listed when
      // the scan hashes contents), judged as part of that checkpoint's format.
      if (n.format == "pytorch-storage") return;
      bool denied = listed(policy_.formats->deny, n.format) ||
                    (policy_.formats->allow && !listed(*policy_.formats->allow, n.format));
      if (denied) outside.push_back(n.format + " (" + n.origin + ")");
    });
    if (outside.empty()) {
      add(gate_rule::kFormat, "pass", file.origin, file.format);
      return;
    }
    // The subject's own failure under the gate rule is what a waiver names.
    fail_or_waive(gate_rule::kFormat, file, {std::string(gate_rule::kFormat)},
                  "format not allowed: " + join(outside));
  }

  const LegacyEntry* legacy_entry(const AdmittedModel& m, const ArtifactReport& file) const {
    std::string relative = file.origin;
    if (m.report->format == "directory" && relative.rfind(m.path + "/", 0) == 0) relative.erase(0, m.path.size() + 1);
    for (const auto& e : policy_.legacy) {
      if (!e.sha256.empty() && e.sha256 != file.sha256) continue;
      if (!e.path.empty() && e.path != relative && e.path != file.origin) continue;
      return &e;
    }
    return nullptr;
  }

  void judge_pickle(const AdmittedModel& m, const ArtifactReport& file, const std::vector<std::string>& parts) {
    std::string evidence = "pickle-based: " + join(parts);
    if (!policy_.pickle.allow)
      fail_or_waive(gate_rule::kPickle, file, {std::string(gate_rule::kPickle)}, evidence + "; the policy allows no pickle");
    else
      add(gate_rule::kPickle, "pass", file.origin, evidence);
    if (policy_.pickle.require_signature) {
      if (m.signature.state == SignatureOutcome::State::verified)
        add(gate_rule::kPickleSignature, "pass", file.origin, "covered by the verified signature " + m.signature.bundle);
      else
        fail_or_waive(gate_rule::kPickleSignature, file, {std::string(gate_rule::kPickleSignature)},
                      "a pickle-based file needs a verified signature; " + signature_evidence(m.signature));
    }
    const LegacyEntry* legacy = legacy_entry(m, file);
    if (legacy != nullptr)
      add(gate_rule::kPickleLegacy, "pass", file.origin, "flagged legacy: " + legacy->reason);
    else if (policy_.pickle.require_legacy_flag)
      fail_or_waive(gate_rule::kPickleLegacy, file, {std::string(gate_rule::kPickleLegacy)},
                    "not flagged legacy (sha256 " + (file.sha256.empty() ? std::string("unknown") : file.sha256) + ")");
  }

  static std::string signature_evidence(const SignatureOutcome& s) {
    switch (s.state) {
      case SignatureOutcome::State::verified: return "verified by " + s.detail + " (" + s.bundle + ")";
      case SignatureOutcome::State::failed:
        return (s.bundle.empty() ? std::string("no signature, and ") : "signature " + s.bundle + " did not verify: ") + s.detail;
      case SignatureOutcome::State::absent: break;
    }
    return "no signature" + (s.detail.empty() ? std::string() : " (" + s.detail + ")");
  }

  void judge_signature(const AdmittedModel& m) {
    const auto& s = m.signature;
    if (s.state == SignatureOutcome::State::verified) add(gate_rule::kSignature, "pass", m.path, signature_evidence(s));
    else if (s.state == SignatureOutcome::State::failed) add(gate_rule::kSignature, "fail", m.path, signature_evidence(s));
    else if (policy_.signature.required) add(gate_rule::kSignature, "fail", m.path, signature_evidence(s) + " and the policy requires one");
    else add(gate_rule::kSignature, "not-applicable", m.path, signature_evidence(s));
  }

  void judge_licence(const AdmittedModel& m) {
    const LicenseRule& rule = *policy_.licenses;
    std::set<std::string> found;
    for_each_node(*m.report, [&](const ArtifactReport& n) {
      if (!n.model.license.empty()) found.insert(n.model.license);
    });
    if (found.empty()) {
      add(gate_rule::kLicense, rule.allow_unknown ? "pass" : "fail", m.path,
          rule.allow_unknown ? "licence unknown (allowed by licenses.unknown)"
                             : "licence unknown: no model card or config states one");
      return;
    }
    std::vector<std::string> bad;
    for (const auto& l : found)
      if (listed(rule.deny, l, true) || (rule.allow && !listed(*rule.allow, l, true))) bad.push_back(l);
    std::vector<std::string> all(found.begin(), found.end());
    if (bad.empty()) add(gate_rule::kLicense, "pass", m.path, join(all));
    else add(gate_rule::kLicense, "fail", m.path, "licence not allowed: " + join(bad));
  }

  void add(std::string_view id, std::string result, const std::string& subject, std::string evidence) {
    decision_.rules.push_back({std::string(id), std::move(result), subject, std::move(evidence)});
  }

  const GatePolicy& policy_;
  std::string today_;
  GateDecision& decision_;
};

}  // namespace

GateDecision evaluate_gate(const GatePolicy& policy, const std::vector<AdmittedModel>& models, std::string_view today,
                           std::vector<std::string> errors) {
  GateDecision d;
  d.mode = policy.mode;
  d.policy_sha256 = policy.sha256;
  RuleEvaluation evaluation(policy, today, d);
  for (const auto& m : models) evaluation.judge_model(m);
  for (const auto& e : errors) d.rules.push_back({std::string(gate_rule::kError), "fail", "", e});
  d.errors = std::move(errors);
  d.would_deny = std::any_of(d.rules.begin(), d.rules.end(), [](const GateRuleResult& r) { return r.result == "fail"; });
  // An error is never an allow, not even in dry-run.
  d.allow = d.errors.empty() && (!d.would_deny || policy.mode == GateMode::dry_run);
  return d;
}

int decision_exit_code(const GateDecision& d) {
  if (!d.errors.empty()) return 2;
  return d.allow ? 0 : 1;
}

}  // namespace modelgate
