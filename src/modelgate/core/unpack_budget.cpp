#include "core/unpack_budget.h"

#include <algorithm>
#include <exception>

namespace modelgate {

const char* UnpackBudget::charge(std::uint64_t n) {
  std::uint64_t total = total_.load(std::memory_order_relaxed);
  do {
    if (n > max_total_ - std::min(total, max_total_)) return "max_total_unpacked";
  } while (!total_.compare_exchange_weak(total, total + n, std::memory_order_relaxed));
  std::uint64_t held = held_.load(std::memory_order_relaxed);
  do {
    if (n > max_held_ - std::min(held, max_held_)) {
      total_.fetch_sub(n, std::memory_order_relaxed);
      return "max_unpacked_in_memory";
    }
  } while (!held_.compare_exchange_weak(held, held + n, std::memory_order_relaxed));
  return nullptr;
}

std::uint64_t UnpackBudget::remaining() const {
  std::uint64_t total = total_.load(std::memory_order_relaxed);
  return max_total_ - std::min(total, max_total_);
}

bool UnpackedBuffer::append(const void* data, std::size_t n) {
  if (exceeded_ != nullptr) return false;
  if (n > limit_ - std::min<std::uint64_t>(data_.size(), limit_)) {
    exceeded_ = limit_name_;
    return false;
  }
  if (const char* limit = budget_->charge(n)) {
    exceeded_ = limit;
    return false;
  }
  const auto* p = static_cast<const std::uint8_t*>(data);
  data_.insert(data_.end(), p, p + n);
  return true;
}

void UnpackedBuffer::reserve(std::uint64_t n) {
  try {
    data_.reserve(static_cast<std::size_t>(std::min(n, limit_)));
  } catch (const std::exception&) {  // bad_alloc, length_error: appending still works, or fails the limit
  }
}

std::string UnpackedBuffer::exceeded_reason() const {
  return std::string("over the limit ") + (exceeded_ ? exceeded_ : "") + " (after " +
         std::to_string(data_.size()) + " bytes)";
}

}  // namespace modelgate
