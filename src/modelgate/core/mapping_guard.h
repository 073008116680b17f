#pragma once
// Mapped files that a truncation cannot turn into a crash. Reading a page of a MAP_SHARED or
// MAP_PRIVATE mapping past the current end of its file raises SIGBUS. While a MappingGuard is alive,
// a SIGBUS at an address inside its range replaces the rest of the range with zero pages and marks
// the guard as faulted, so the parser reads zeros and returns; the caller then refuses the file as
// changed during the scan (docs/cli.md, "Files that change underneath"). A SIGBUS anywhere else goes
// to the previous handler or the default action, as before.
#include <cstddef>

namespace modelgate {

class MappingGuard {
 public:
  MappingGuard(const void* begin, std::size_t size);
  ~MappingGuard();
  MappingGuard(const MappingGuard&) = delete;
  MappingGuard& operator=(const MappingGuard&) = delete;
  // True once a SIGBUS inside the range was absorbed: the file shrank under the mapping.
  bool faulted() const;

 private:
  struct Slot* slot_;
};

}  // namespace modelgate
