#include "pickle/sized_constructors.h"

#include <cstdint>

namespace modelgate::pickle {

SizedArgument sized_constructor(std::string_view callable) {
  if (callable == "builtins.bytes" || callable == "builtins.bytearray")
    return SizedArgument::bytes_or_elements;
  static constexpr std::string_view kCollections[] = {
      "builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset", "collections.deque",
      "collections.Counter"};
  for (auto n : kCollections)
    if (callable == n) return SizedArgument::elements;
  return SizedArgument::none;
}

std::int64_t range_length(std::int64_t start, std::int64_t stop, std::int64_t step) {
  if (step == 0) return -1;
  if (step > 0 ? stop <= start : stop >= start) return 0;
  // In unsigned arithmetic: stop - start may not fit an int64, nor may -step.
  const std::uint64_t span = step > 0 ? static_cast<std::uint64_t>(stop) - static_cast<std::uint64_t>(start)
                                      : static_cast<std::uint64_t>(start) - static_cast<std::uint64_t>(stop);
  const std::uint64_t by = step > 0 ? static_cast<std::uint64_t>(step) : std::uint64_t{0} - static_cast<std::uint64_t>(step);
  const std::uint64_t n = (span - 1) / by + 1;
  return n > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(n);
}

}  // namespace modelgate::pickle
