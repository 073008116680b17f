#include <array>
#include <iomanip>

#include "core/escaped_text.h"
#include "modelgate/render.h"

namespace modelgate {

namespace {

void print_findings(const ArtifactReport& r, std::ostream& out, int verbosity) {
  for (const auto& f : r.findings) {
    if (verbosity <= 0 && f.status == Status::safe) continue;
    out << "    " << std::left << std::setw(8) << to_string(f.severity) << ' ' << f.rule << ' '
        << escape_for_terminal(f.origin);
    if (f.offset) out << '@' << *f.offset;
    out << ": " << escape_for_terminal(f.message);
    if (!f.evidence.empty()) out << " [" << escape_for_terminal(f.evidence) << ']';
    out << '\n';
  }
}

void print_artifact(const ArtifactReport& r, std::ostream& out, int verbosity,
                    std::array<std::size_t, 4>& counts, bool top) {
  bool is_container = r.format == "directory";
  if (!is_container) {
    ++counts[static_cast<std::size_t>(r.status)];
    if (verbosity >= 0 || r.status != Status::safe) {
      out << std::left << std::setw(11) << to_string(r.status) << ' ' << escape_for_terminal(r.origin) << " ("
          << r.format << ")\n";
      if (verbosity >= 0) print_findings(r, out, verbosity);
    }
  } else if (verbosity >= 0) {
    print_findings(r, out, verbosity);
  }
  for (const auto& c : r.children) print_artifact(c, out, verbosity, counts, false);
  (void)top;
}

}  // namespace

void render_text(const ScanResult& result, std::ostream& out, int verbosity) {
  std::array<std::size_t, 4> counts{};
  for (const auto& r : result.artifacts) print_artifact(r, out, verbosity, counts, true);
  out << counts[0] + counts[1] + counts[2] + counts[3] << " artifacts: " << counts[0] << " safe, "
      << counts[1] << " unverified, " << counts[2] << " refused, " << counts[3] << " unsafe; policy "
      << (result.decision.allow ? "allows" : "denies") << '\n';
}

}  // namespace modelgate
