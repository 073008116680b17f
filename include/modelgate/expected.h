#pragma once
// A value or an error, the library's one way to report failure: no exceptions cross the API.
#include <utility>
#include <variant>

namespace modelgate {

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

}  // namespace modelgate
