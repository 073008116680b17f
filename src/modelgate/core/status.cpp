#include "modelgate/status.h"

namespace modelgate {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::safe: return "safe";
    case Status::unverified: return "unverified";
    case Status::refused: return "refused";
    case Status::unsafe: return "unsafe";
  }
  return "?";
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::low: return "low";
    case Severity::medium: return "medium";
    case Severity::high: return "high";
    case Severity::critical: return "critical";
  }
  return "?";
}

std::optional<Status> parse_status(std::string_view text) {
  for (Status s : {Status::safe, Status::unverified, Status::refused, Status::unsafe})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

}  // namespace modelgate
