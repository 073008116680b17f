#pragma once
// What decided the verdicts, as hashes for the BOM's metadata.tools: the rule set (every rule's id,
// severity and status, and the allowlist/denylist data compiled in) and the active policy.
#include <string>

#include "modelgate/policy.h"

namespace modelgate::bom {

std::string rule_set_sha256();
std::string policy_sha256(const Policy& policy);

}  // namespace modelgate::bom
