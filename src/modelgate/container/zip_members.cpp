#include "container/zip_members.h"

namespace modelgate {

std::optional<Artifact> open_zip_member(const Artifact& a, const zip::Member& m, NestedScan& ctx,
                                        ArtifactReport& report) {
  auto bytes = zip::open_member(a.bytes, m, a.origin, ctx.limits(), ctx.budget(a), report.findings);
  if (!bytes) return std::nullopt;
  return a.child(m.name, bytes->bytes, bytes->owner);
}

void scan_zip_members(const Artifact& a, const zip::Archive& ar, NestedScan& ctx,
                      ArtifactReport& report,
                      const std::function<bool(const zip::Member&)>& skip) {
  for (const auto& m : ar.members) {
    if (m.is_directory() || m.is_symlink()) continue;
    if (skip && skip(m)) continue;
    auto child = open_zip_member(a, m, ctx, report);
    if (!child) continue;
    report.children.push_back(ctx.scan(*child));
  }
}

}  // namespace modelgate
