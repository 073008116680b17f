#pragma once
// Outcome of a signing or verification step: a value, or an Error whose origin names the check that
// failed and whose reason says what exactly was wrong. Its rule tells a failed verification (the
// model or the signature is not what it should be: exit 1 in the CLI) from a usage or tool error (a
// missing key, an unreadable file: exit 2); is_verification_failure() asks it.
#include <string>
#include <utility>

#include "core/expected.h"
#include "modelgate/signing.h"

namespace modelgate::sign {

inline constexpr RuleId kVerificationFailed = "MG-GATE-SIGNATURE";
inline constexpr RuleId kUsageFailed = "MG-GATE-ERROR";

inline Error verification_failure(std::string check, std::string detail) {
  return Error{0, std::move(detail), kVerificationFailed, std::move(check)};
}
inline Error usage_failure(std::string check, std::string detail) {
  return Error{0, std::move(detail), kUsageFailed, std::move(check)};
}

struct Ok {};

using Check = Expected<Ok>;

}  // namespace modelgate::sign
