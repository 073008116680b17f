#include "modelgate/gate.h"
#include "modelgate/policy.h"

namespace modelgate {

ValueOr<Policy, Error> load_policy(const std::filesystem::path& file) {
  auto gate = load_gate_policy(file);
  if (!gate) return gate.error();
  return std::move(gate->scan);
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
