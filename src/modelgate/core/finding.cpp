#include "modelgate/finding.h"

namespace modelgate {

Finding make_finding(const Rule& rule, std::string origin, std::optional<std::uint64_t> offset,
                     std::string message, std::string evidence) {
  Finding f;
  f.rule = std::string(rule.id);
  f.severity = rule.severity;
  f.status = rule.status;
  f.origin = std::move(origin);
  f.offset = offset;
  f.message = std::move(message);
  f.evidence = std::move(evidence);
  return f;
}

}  // namespace modelgate
