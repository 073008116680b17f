#include "scan/relative_origins.h"

namespace modelgate {

namespace {

bool strip_origin_prefix(std::string& text, const std::string& prefix) {
  if (text.compare(0, prefix.size(), prefix) != 0) return false;
  text.erase(0, prefix.size());
  return true;
}

}  // namespace

bool make_origins_relative(ArtifactReport& report, const std::string& origin) {
  if (!strip_origin_prefix(report.origin, origin)) return false;
  for (auto& f : report.findings)
    if (!strip_origin_prefix(f.origin, origin)) return false;
  for (auto& c : report.children)
    if (!make_origins_relative(c, origin)) return false;
  return true;
}

void prefix_origins(ArtifactReport& report, const std::string& origin) {
  report.origin.insert(0, origin);
  for (auto& f : report.findings) f.origin.insert(0, origin);
  for (auto& c : report.children) prefix_origins(c, origin);
}

}  // namespace modelgate
