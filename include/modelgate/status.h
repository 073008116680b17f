#pragma once
// The verdict model (see DESIGN.md): every artifact ends in exactly one Status.
#include <cstdint>
#include <optional>
#include <string_view>

namespace modelgate {

// Ordered from best to worst; an aggregate takes the maximum of its parts.
// `unsafe` ranks above `refused` so that a refusal never hides a dangerous construct seen before it.
enum class Status : std::uint8_t { safe, unverified, refused, unsafe };

enum class Severity : std::uint8_t { info, low, medium, high, critical };

constexpr Status worse(Status a, Status b) { return a < b ? b : a; }

std::string_view to_string(Status s);
std::string_view to_string(Severity s);
std::optional<Status> parse_status(std::string_view text);

}  // namespace modelgate
