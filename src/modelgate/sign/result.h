#pragma once
// Outcome of a signing or verification step: a value, or a Failure that names the check that failed.
// Verification failures (exit 1) are kept apart from usage/tool errors (exit 2).
#include <string>
#include <utility>
#include <variant>

namespace modelgate::sign {

enum class FailureKind { verification, usage };

struct Failure {
  FailureKind kind = FailureKind::verification;
  std::string check;   // short name of the check, e.g. "signature", "manifest", "certificate chain"
  std::string detail;  // what exactly was wrong
  std::string message() const { return check + ": " + detail; }
};

inline Failure verification_failure(std::string check, std::string detail) {
  return Failure{FailureKind::verification, std::move(check), std::move(detail)};
}
inline Failure usage_failure(std::string check, std::string detail) {
  return Failure{FailureKind::usage, std::move(check), std::move(detail)};
}

struct Ok {};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Failure failure) : v_(std::move(failure)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Failure& failure() const { return std::get<1>(v_); }

 private:
  std::variant<T, Failure> v_;
};

using Check = Result<Ok>;

}  // namespace modelgate::sign
