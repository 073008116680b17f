#pragma once
// An allocator for the value graph's node chunks: chunks of 2 MiB and more are anonymous mappings
// of their own backed by transparent huge pages where the kernel offers them, so that a pickle of
// millions of objects does not take a page fault for every 51 nodes. Smaller chunks come from the
// heap, as a small pickle's do.
#include <sys/mman.h>

#include <cstddef>
#include <new>

namespace modelgate::pickle {

// An anonymous private mapping of `bytes`, backed by transparent huge pages where the kernel offers
// them (the advice is a hint: without them it still works); throws std::bad_alloc.
inline void* map_huge_pages(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  (void)::madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kMapFromBytes = std::size_t{2} << 20;

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
    std::size_t bytes = n * sizeof(T);
    if (bytes < kMapFromBytes) return static_cast<T*>(::operator new(bytes));
    return static_cast<T*>(map_huge_pages(bytes));
  }
  void deallocate(T* p, std::size_t n) {
    std::size_t bytes = n * sizeof(T);
    if (bytes < kMapFromBytes)
      ::operator delete(p);
    else
      ::munmap(p, bytes);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace modelgate::pickle
