#include "container/pickle_member.h"

#include <algorithm>
#include <optional>

#include "core/rule_catalog.h"
#include "format/pickle_stream_report.h"

namespace modelgate {

pickle::StreamResult analyse_pickle_stream(const Artifact& a, std::size_t start, NestedScan& ctx,
                                           ArtifactReport& report, const PickleMemberOptions& o) {
  pickle::MachineOptions opts;
  opts.allowlist = &ctx.allowlist();
  std::optional<pickle::Allowlist> extended;
  if (!o.loader_globals.empty()) {
    auto extra = ctx.policy().extra_allowed_globals;
    extra.insert(extra.end(), o.loader_globals.begin(), o.loader_globals.end());
    auto al = pickle::Allowlist::from_profiles(ctx.allowlist().profiles(), extra);
    if (al) {
      extended.emplace(std::move(*al));
      opts.allowlist = &*extended;
    }
  }
  opts.limits = &ctx.limits();
  opts.budget = ctx.budget(a);
  opts.loader_has_persistent_load = o.persistent_load;
  opts.retain_data = o.retain_data || o.keep_retained != nullptr;
  opts.after_build = o.after_build;
  opts.array_bytes = o.array_bytes;
  auto r = pickle::run_machine(a.bytes, start, a.origin, opts);
  if (o.keep_retained != nullptr) {
    *o.keep_retained = r;
    if (r.limit_reached && !o.retain_data) {
      opts.retain_data = false;
      r = pickle::run_machine(a.bytes, start, a.origin, opts);
    }
  }
  pickle::StreamResult copy = r;
  add_stream_to_report(std::move(copy), a, ctx, report);
  return r;
}

pickle::StreamResult scan_pickle_member(const Artifact& a, NestedScan& ctx, ArtifactReport& report,
                                        const PickleMemberOptions& o) {
  if (report.format.empty()) report.format = "pickle";
  auto first = analyse_pickle_stream(a, 0, ctx, report, o);
  report.details.pickle = PickleDetails{first.protocol, std::nullopt};
  if (!first.complete || !o.report_trailing) return first;
  PickleMemberOptions rest = o;
  rest.keep_retained = nullptr;
  std::size_t pos = first.end;
  for (std::uint32_t n = 0; pos < a.bytes.size(); ++n) {
    if (n >= ctx.limits().max_trailing_pickles) {
      report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, pos,
                              "more than " + std::to_string(n) + " pickles follow the first one"));
      break;
    }
    ArtifactReport scratch;
    auto next = analyse_pickle_stream(a, pos, ctx, scratch, rest);
    if (next.complete) {
      report.add(make_finding(rule("MG-PICKLE-MULTIPLE-STREAMS"), a.origin, pos,
                              "another pickle follows the STOP of the previous one"));
      for (auto& f : scratch.findings) report.add(std::move(f));
      for (auto& c : scratch.children) report.children.push_back(std::move(c));
      add_pickle_names(scratch.parsed, ctx.limits().max_listed_pickle_names, report);
      pos = next.end;
      continue;
    }
    report.add(make_finding(rule("MG-PICKLE-TRAILING-DATA"), a.origin, pos,
                            std::to_string(a.bytes.size() - pos) +
                                " bytes follow the last STOP and do not form a complete pickle"));
    if (!next.imports.empty()) {
      for (auto& f : scratch.findings)
        if (f.rule != "MG-PICKLE-MALFORMED") report.add(std::move(f));
      for (auto& c : scratch.children) report.children.push_back(std::move(c));
      add_pickle_names(scratch.parsed, ctx.limits().max_listed_pickle_names, report);
    }
    break;
  }
  return first;
}

}  // namespace modelgate
