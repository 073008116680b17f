#include <nlohmann/json.hpp>

#include "core/regular_file.h"
#include "modelgate/policy.h"

namespace modelgate {

namespace {
constexpr std::size_t kMaxPolicyBytes = 1 << 20;
}  // namespace

std::optional<std::string> load_policy(const std::filesystem::path& file, Policy& out) {
  // A FIFO or device named as the policy is refused at once instead of blocking.
  auto text = read_small_file(file, kMaxPolicyBytes);
  if (!text) return "cannot read the policy file " + text.error().message;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    return file.string() + ": invalid JSON: " + e.what();
  }
  if (!j.is_object()) return file.string() + ": a policy is a JSON object";
  Policy p;
  try {
    for (auto& [key, value] : j.items()) {
      if (key == "schema") {
        if (value != "modelgate.policy/1")
          return file.string() + ": unsupported schema " + value.dump() + " (expected \"modelgate.policy/1\")";
      } else if (key == "profiles") {
        p.profiles = value.get<std::vector<std::string>>();
      } else if (key == "allow_globals") {
        p.extra_allowed_globals = value.get<std::vector<std::string>>();
      } else if (key == "allow_status") {
        p.allowed_statuses.clear();
        for (const auto& s : value.get<std::vector<std::string>>()) {
          auto st = parse_status(s);
          if (!st) return file.string() + ": unknown status \"" + s + "\" in allow_status";
          p.allowed_statuses.insert(*st);
        }
      } else {
        return file.string() + ": unknown policy key \"" + key + "\"";
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return file.string() + ": wrong type in policy: " + e.what();
  }
  out = std::move(p);
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
