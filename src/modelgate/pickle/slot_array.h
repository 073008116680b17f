#pragma once
// The memo's growable array of 64-bit slots. Small arrays come from the heap. From 1 MiB on the
// array is an anonymous mapping of its own, grown with mremap (nothing copied, no second copy
// resident while growing) and backed by transparent huge pages where the kernel offers them: a
// pickle with ten million memo entries otherwise takes a page fault for every 512 of them.
#include <cstddef>
#include <cstdint>

namespace modelgate::pickle {

class SlotArray {
 public:
  SlotArray() = default;
  ~SlotArray();
  SlotArray(const SlotArray&) = delete;
  SlotArray& operator=(const SlotArray&) = delete;

  std::uint64_t* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }
  // At least `need` slots, the first `used` kept; the slots past them are not initialised. Throws
  // std::bad_alloc when the memory cannot be had.
  void grow(std::size_t need, std::size_t used);

 private:
  std::uint64_t* data_ = nullptr;
  std::size_t capacity_ = 0;
  bool mapped_ = false;
};

}  // namespace modelgate::pickle
