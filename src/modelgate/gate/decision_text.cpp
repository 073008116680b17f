// The decision for people: the verdict, then every rule that did not simply pass.
#include <sstream>

#include "core/escaped_text.h"
#include "modelgate/gate.h"

namespace modelgate {

std::string decision_text(const GateDecision& d) {
  std::ostringstream out;
  out << "decision: " << (d.allow ? "allow" : "deny");
  if (d.mode == GateMode::dry_run) out << " (dry-run" << (d.would_deny ? ": enforcing would deny" : "") << ")";
  out << '\n';
  std::size_t passed = 0;
  for (const auto& r : d.rules) {
    if (r.result == "pass" || r.result == "not-applicable") {
      ++passed;
      continue;
    }
    out << "  " << r.result << "  " << r.id << "  " << escape_for_terminal(r.subject) << '\n'
        << "      " << escape_for_terminal(r.evidence) << '\n';
  }
  out << passed << " rule result(s) passed or not applicable\n";
  out << "policy sha256: " << d.policy_sha256 << '\n';
  if (!d.store.empty())
    out << "inventory: " << escape_for_terminal(d.store) << " (" << d.hits << " reused, " << d.misses << " scanned)\n";
  if (d.sandbox.mode == SandboxMode::off)
    out << "parsed: unconfined (--sandbox off)";
  else
    out << "parsed: in confined workers (--sandbox " << to_string(d.sandbox.mode) << ")";
  if (!d.sandbox.missing.empty()) out << ", missing: " << escape_for_terminal(d.sandbox.missing.front());
  out << '\n';
  return out.str();
}

}  // namespace modelgate
