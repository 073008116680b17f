#include "pickle/slot_array.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "pickle/huge_page_allocator.h"

namespace modelgate::pickle {

namespace {

constexpr std::size_t kMapFromBytes = std::size_t{1} << 20;
constexpr std::size_t kHugePage = std::size_t{2} << 20;

}  // namespace

void SlotArray::grow(std::size_t need, std::size_t used) {
  // From 64 slots: the memo of a small pickle is a small allocation the allocator hands back from
  // its per-thread cache, where 8 KiB for every pickle made it sort its free lists each time.
  std::size_t capacity = std::max({need, std::size_t{64}, capacity_ * 2});
  if (capacity > SIZE_MAX / sizeof(std::uint64_t) / 2) throw std::bad_alloc();
  std::size_t bytes = capacity * sizeof(std::uint64_t);
  if (bytes < kMapFromBytes) {
    void* bigger = std::malloc(bytes);
    if (bigger == nullptr) throw std::bad_alloc();
    if (used > 0) std::memcpy(bigger, data_, used * sizeof(std::uint64_t));
    std::free(data_);
    data_ = static_cast<std::uint64_t*>(bigger);
    capacity_ = capacity;
    return;
  }
  bytes = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  // The mapping keeps its huge-page advice when mremap grows or moves it.
  void* p = mapped_ ? ::mremap(data_, capacity_ * sizeof(std::uint64_t), bytes, MREMAP_MAYMOVE) : map_huge_pages(bytes);
  if (p == MAP_FAILED) throw std::bad_alloc();
  if (!mapped_) {
    if (used > 0) std::memcpy(p, data_, used * sizeof(std::uint64_t));
    std::free(data_);
    mapped_ = true;
  }
  data_ = static_cast<std::uint64_t*>(p);
  capacity_ = bytes / sizeof(std::uint64_t);
}

SlotArray::~SlotArray() {
  if (mapped_)
    ::munmap(data_, capacity_ * sizeof(std::uint64_t));
  else
    std::free(data_);
}

}  // namespace modelgate::pickle
