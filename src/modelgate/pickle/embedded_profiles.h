#pragma once
#include <span>
#include <string_view>

namespace modelgate::pickle {

// The files of data/pickle/, compiled in: `name` is the file name without ".txt".
struct EmbeddedProfile {
  std::string_view name;
  std::string_view text;
};
std::span<const EmbeddedProfile> embedded_profiles();

}  // namespace modelgate::pickle
