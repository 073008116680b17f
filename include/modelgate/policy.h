#pragma once
// A policy selects allowlist profiles and decides which statuses pass a boundary.
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "modelgate/error.h"
#include "modelgate/expected.h"
#include "modelgate/report.h"
#include "modelgate/status.h"

namespace modelgate {

struct Policy {
  std::vector<std::string> profiles = {"torch", "python-data", "numpy"};
  std::vector<std::string> extra_allowed_globals;  // "module.qualname" entries added by the policy
  std::set<Status> allowed_statuses = {Status::safe};
};

struct Decision {
  bool allow = true;
  std::vector<std::string> reasons;  // one per denied artifact
};

// Reads a JSON policy file (schema "modelgate.policy/1", or /2 of which `scan` uses these three keys;
// modelgate/gate.h).
ValueOr<Policy, Error> load_policy(const std::filesystem::path& file);
Decision decide(const Policy& policy, const std::vector<ArtifactReport>& reports);

}  // namespace modelgate
