// ZIP archives: torch checkpoints, TorchScript, npz and plain ZIPs all go through the strict
// reader; the flavour is decided from the directory, never from the file name.
#include "container/pytorch_zip.h"
#include "container/zip_members.h"
#include "container/zip_stream_view.h"
#include "artifact/zip_probe.h"
#include "core/rule_catalog.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

bool is_npz(const Artifact& a, const zip::Archive& ar) {
  bool any = false;
  for (const auto& m : ar.members) {
    if (m.is_directory()) continue;
    auto head = zip::peek_member(a.bytes, m, 6);
    if (head.size() < 6 || head[0] != 0x93 || std::string_view(reinterpret_cast<const char*>(&head[1]), 5) != "NUMPY")
      return false;
    any = true;
  }
  return any;
}

}  // namespace

void scan_zip(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto ar = take_zip_directory(a, ctx.limits());
  if (!ar) {
    report.add(make_finding(rule("MG-ZIP-MALFORMED"), a.origin, ar.error().offset, ar.error().reason));
    return;
  }
  for (auto& f : ar->findings) report.add(std::move(f));
  report_zip_stream_view(a, *ar, ctx.limits(), report);
  report.details.archive = ArchiveDetails{ar->members.size()};
  if (is_torch_zip(*ar)) {
    scan_torch_zip(a, std::make_shared<const zip::Archive>(std::move(*ar)), ctx, report);
    return;
  }
  if (is_npz(a, *ar)) report.format = "npz";
  scan_zip_members(a, *ar, ctx, report);
}

}  // namespace modelgate
