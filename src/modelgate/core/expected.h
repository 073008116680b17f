#pragma once
// Value-or-error for parsers of untrusted bytes: bad input is an expected outcome, not an exception.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace modelgate {

struct ParseError {
  std::uint64_t offset = 0;  // byte offset in the artifact being parsed
  std::string reason;
};

// A value or an error of type E. Modules with their own error type (signing's Failure) build on it.
template <class T, class E>
class [[nodiscard]] ValueOr {
 public:
  ValueOr(T value) : v_(std::move(value)) {}
  ValueOr(E error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <class T>
using Expected = ValueOr<T, ParseError>;

inline ParseError parse_error(std::uint64_t offset, std::string reason) {
  return ParseError{offset, std::move(reason)};
}

}  // namespace modelgate
