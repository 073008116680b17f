#pragma once
// Typed reads of JSON values that crossed a trust boundary (a worker's result, an inventory row):
// each says whether the value has the shape, never converts or defaults.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modelgate {

// A count: JSON readers may hold a non-negative integer as signed or unsigned.
inline std::optional<std::uint64_t> json_count(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

// An array of strings, appended to `out`; false for anything else.
inline bool json_strings(const nlohmann::json& v, std::vector<std::string>& out) {
  if (!v.is_array()) return false;
  for (const auto& s : v) {
    if (!s.is_string()) return false;
    out.push_back(s.get<std::string>());
  }
  return true;
}

}  // namespace modelgate
