// A raw pickle file: one stream, possibly followed by more pickles or other bytes.
#include <algorithm>

#include "pickle/machine.h"
#include "scan/format_table.h"

namespace modelgate {

namespace {

bool has_construct_findings(const pickle::StreamResult& r) {
  return !r.imports.empty() || std::any_of(r.findings.begin(), r.findings.end(), [](const Finding& f) {
           return f.rule != "MG-PICKLE-MALFORMED" && f.status != Status::safe;
         });
}

}  // namespace

void scan_pickle_file(const Artifact& a, ScanContext& ctx, ArtifactReport& report) {
  pickle::MachineOptions opts;
  opts.allowlist = &ctx.allowlist();
  opts.limits = &ctx.limits();
  auto first = pickle::run_machine(a.bytes, 0, a.origin, opts);
  for (auto& f : first.findings) report.add(std::move(f));
  report.facts["pickle_protocol"] = first.protocol;
  report.facts["opcodes"] = first.opcodes;
  if (!first.complete) return;

  std::size_t pos = first.end;
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
      for (auto& f : next.findings) report.add(std::move(f));
      pos = next.end;
      continue;
    }
    report.add(make_finding(rule("MG-PICKLE-TRAILING-DATA"), a.origin, pos,
                            std::to_string(a.bytes.size() - pos) +
                                " bytes follow the last STOP and do not form a complete pickle"));
    // A broken trailing pickle that already imported or called something is still reported.
    if (has_construct_findings(next))
      for (auto& f : next.findings) report.add(std::move(f));
    return;
  }
}

}  // namespace modelgate
