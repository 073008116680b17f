#pragma once
// Outcome of a signing or verification step: a value, or a Failure that names the check that failed.
// Verification failures (exit 1) are kept apart from usage/tool errors (exit 2).
#include <string>
#include <utility>

#include "modelgate/signing.h"

namespace modelgate::sign {

using FailureKind = SigningFailureKind;
using Failure = SigningFailure;

inline Failure verification_failure(std::string check, std::string detail) {
  return Failure{FailureKind::verification, std::move(check), std::move(detail)};
}
inline Failure usage_failure(std::string check, std::string detail) {
  return Failure{FailureKind::usage, std::move(check), std::move(detail)};
}

struct Ok {};

template <class T>
using Result = SigningResult<T>;

using Check = Result<Ok>;

}  // namespace modelgate::sign
