#include "scan/scan_context.h"

#include "core/rule_catalog.h"
#include "core/content_digest.h"
#include "scan/format_table.h"
#include "scan/name_readings.h"
#include "scan/readings.h"
#include "template/chat_template.h"

namespace modelgate {

void ScanContext::hash_content(const Artifact& artifact, ArtifactReport& report) const {
  if (hash_contents_ && hash_sha512_ && report.sha512.empty()) report.sha512 = sha512_hex(artifact.bytes);
  if (!report.sha256.empty()) return;
  if (!artifact.sha256.empty())
    report.sha256 = artifact.sha256;
  else if (hash_contents_)
    report.sha256 = sha256_hex(artifact.bytes);
}

ArtifactReport ScanContext::scan(const Artifact& artifact) {
  if (!artifact.budget) {
    Artifact top = artifact;
    top.budget = budget(artifact);
    return scan(top);
  }
  ArtifactReport report;
  report.origin = artifact.origin;
  report.size = artifact.bytes.size();
  hash_content(artifact, report);
  if (artifact.depth > limits_.max_nesting_depth) {
    report.format = "unknown";
    report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), artifact.origin, std::nullopt,
                            "nesting depth " + std::to_string(artifact.depth) +
                                " exceeds the limit of " +
                                std::to_string(limits_.max_nesting_depth)));
    report.finalize();
    return report;
  }
  Format f = identify(artifact);
  report.format = std::string(format_name(f));
  scanner_for(f)(artifact, *this, report);
  add_name_readings(artifact, f, *this, report);
  scan_other_readings(artifact, f, *this, report);
  analyse_recorded_chat_templates(report, limits_);
  report.finalize();
  return report;
}

}  // namespace modelgate
