#include "modelgate/gate.h"
#include "modelgate/policy.h"

namespace modelgate {

std::optional<std::string> load_policy(const std::filesystem::path& file, Policy& out) {
  GatePolicy gate;
  if (auto err = load_gate_policy(file, gate)) return err;
  out = std::move(gate.scan);
  return std::nullopt;
}

Decision decide(const Policy& policy, const std::vector<ArtifactReport>& reports) {
  Decision d;
  for (const auto& r : reports) {
    if (policy.allowed_statuses.count(r.status)) continue;
    d.allow = false;
    d.reasons.push_back(r.origin + " is " + std::string(to_string(r.status)));
  }
  return d;
}

}  // namespace modelgate
