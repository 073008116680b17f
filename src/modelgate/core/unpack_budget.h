#pragma once
// The bytes unpacked inside one top-level artifact (archive members, inflated streams, decoded
// payloads), at every nesting level, against Limits::max_total_unpacked (bytes produced over the
// whole scan) and Limits::max_unpacked_in_memory (bytes held at once). Buffers grow as bytes
// actually arrive and every byte is charged before it is stored: no size an input declares is
// ever allocated up front.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "modelgate/limits.h"

namespace modelgate {

class UnpackBudget {
 public:
  explicit UnpackBudget(const Limits& limits)
      : max_total_(limits.max_total_unpacked), max_held_(limits.max_unpacked_in_memory) {}
  UnpackBudget(const UnpackBudget&) = delete;
  UnpackBudget& operator=(const UnpackBudget&) = delete;

  // Charges `n` more bytes. Returns the name of the limit that would be passed (nothing is
  // charged then), or nullptr.
  const char* charge(std::uint64_t n);
  // Bytes charged earlier that are no longer held in memory.
  void release(std::uint64_t n) { held_.fetch_sub(n, std::memory_order_relaxed); }
  std::uint64_t total() const { return total_.load(std::memory_order_relaxed); }
  // Bytes that may still be unpacked over the whole artifact.
  std::uint64_t remaining() const;

 private:
  const std::uint64_t max_total_, max_held_;
  std::atomic<std::uint64_t> total_{0}, held_{0};
};

// A buffer filled as bytes are unpacked; each append is charged to the budget first, and the
// bytes are released from the held-in-memory count when the buffer goes away.
class UnpackedBuffer final : public ByteSource {
 public:
  // `limit_name`/`limit`: the per-buffer limit (e.g. "max_member_unpacked").
  UnpackedBuffer(std::shared_ptr<UnpackBudget> budget, const char* limit_name, std::uint64_t limit)
      : budget_(std::move(budget)), limit_name_(limit_name), limit_(limit) {}
  ~UnpackedBuffer() override { budget_->release(data_.size()); }
  UnpackedBuffer(const UnpackedBuffer&) = delete;
  UnpackedBuffer& operator=(const UnpackedBuffer&) = delete;

  // Appends `n` bytes. False, with nothing appended, when a limit would be passed; exceeded()
  // then names it.
  bool append(const void* data, std::size_t n);
  // Allocates room for `n` bytes (at most the per-buffer limit) up front, so that a member of known
  // size is held once, not in a doubled vector's capacity. Charges nothing; a failed allocation
  // leaves the buffer to grow as it fills.
  void reserve(std::uint64_t n);
  ByteView bytes() const override { return data_; }
  std::size_t size() const { return data_.size(); }
  const char* exceeded() const { return exceeded_; }
  // "over the limit max_total_unpacked (at N bytes)": for findings.
  std::string exceeded_reason() const;

 private:
  std::shared_ptr<UnpackBudget> budget_;
  const char* limit_name_;
  std::uint64_t limit_;
  std::vector<std::uint8_t> data_;
  const char* exceeded_ = nullptr;
};

}  // namespace modelgate
