// A raw pickle file: one stream, possibly followed by more pickles or other bytes.
#include <algorithm>

#include "format/pickle_stream_report.h"
#include "core/rule_catalog.h"
#include "pickle/machine.h"
#include "format/scanners.h"
#include "artifact/pickle_probe.h"

namespace modelgate {

namespace {

bool has_construct_findings(const pickle::StreamResult& r) {
  return !r.imports.empty() || std::any_of(r.findings.begin(), r.findings.end(), [](const Finding& f) {
           return f.rule != "MG-PICKLE-MALFORMED" && f.status != Status::safe;
         });
}

}  // namespace

void scan_pickle_file(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  pickle::MachineOptions opts;
  opts.allowlist = &ctx.allowlist();
  opts.limits = &ctx.limits();
  opts.budget = ctx.budget(a);
  opts.input_owner = a.owner.get();
  auto first = pickle::run_machine(a.bytes, 0, a.origin, opts);
  remember_pickle_probe(a, first);
  report.details.pickle = PickleDetails{first.protocol, first.opcodes};
  bool complete = first.complete;
  std::size_t pos = first.end;
  add_stream_to_report(std::move(first), a, ctx, report);
  if (!complete) return;

  for (std::uint32_t n = 0; pos < a.bytes.size(); ++n) {
    if (n >= ctx.limits().max_trailing_pickles) {
      report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, pos,
                              "more than " + std::to_string(n) +
                                  " pickles follow the first one; the rest was not analysed"));
      return;
    }
    auto next = pickle::run_machine(a.bytes, pos, a.origin, opts);
    if (next.complete) {
      report.add(make_finding(rule("MG-PICKLE-MULTIPLE-STREAMS"), a.origin, pos,
                              "another pickle follows the STOP of the previous one; pickle.load "
                              "ignores it but loaders that read several streams run it"));
      pos = next.end;
      add_stream_to_report(std::move(next), a, ctx, report);
      continue;
    }
    report.add(make_finding(rule("MG-PICKLE-TRAILING-DATA"), a.origin, pos,
                            std::to_string(a.bytes.size() - pos) +
                                " bytes follow the last STOP and do not form a complete pickle"));
    // A broken trailing pickle that already imported or called something is still reported.
    if (has_construct_findings(next)) add_stream_to_report(std::move(next), a, ctx, report);
    return;
  }
}

}  // namespace modelgate
