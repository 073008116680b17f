#pragma once
// Containment of one filesystem path in another, for symlinks and referenced files that must not
// leave a directory. Both paths must already be normalised the same way (canonical or lexical).
#include <filesystem>

namespace modelgate {

// True when `inner` is `root` itself or below it, compared component by component (so that
// "/a/bc" is not inside "/a/b").
inline bool path_is_within(const std::filesystem::path& inner, const std::filesystem::path& root) {
  auto r = root.begin();
  auto i = inner.begin();
  for (; r != root.end(); ++r, ++i)
    if (i == inner.end() || *i != *r) return false;
  return true;
}

}  // namespace modelgate
