#include "format/scanners.h"
#include "core/rule_catalog.h"

namespace modelgate {

// An empty file has nothing to read.
void scan_nothing(const Artifact&, NestedScan&, ArtifactReport&) {}

// Plain text that no more specific scanner claims (README, LICENSE, notes) is inert data.
void scan_text_file(const Artifact&, NestedScan&, ArtifactReport&) {}

void scan_lfs_pointer(const Artifact& a, NestedScan&, ArtifactReport& report) {
  std::string_view text = as_chars(a.bytes);
  std::string oid;
  if (auto at = text.find("\noid "); at != std::string_view::npos)
    oid = std::string(text.substr(at + 5, std::min<std::size_t>(text.find('\n', at + 5) - (at + 5), 80)));
  report.add(make_finding(rule("MG-LFS-POINTER"), a.origin, std::nullopt,
                          "a Git LFS pointer" + (oid.empty() ? std::string() : " to " + oid) +
                              ": the file's content is not here and was not scanned"));
}

void scan_unknown_file(const Artifact& a, NestedScan&, ArtifactReport& report) {
  report.add(make_finding(rule("MG-FORMAT-UNRECOGNISED"), a.origin, std::nullopt,
                          "content matches no known format"));
}

}  // namespace modelgate
