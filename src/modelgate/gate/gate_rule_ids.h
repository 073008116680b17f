#pragma once
// The ids of the gate's rules (gate_rules.cpp describes them for `modelgate rules`).
#include <string_view>

namespace modelgate::gate_rule {

inline constexpr std::string_view kStatus = "MG-GATE-STATUS";
inline constexpr std::string_view kFormat = "MG-GATE-FORMAT";
inline constexpr std::string_view kPickle = "MG-GATE-PICKLE";
inline constexpr std::string_view kPickleSignature = "MG-GATE-PICKLE-SIGNATURE";
inline constexpr std::string_view kPickleLegacy = "MG-GATE-PICKLE-LEGACY";
inline constexpr std::string_view kSignature = "MG-GATE-SIGNATURE";
inline constexpr std::string_view kLicense = "MG-GATE-LICENSE";
inline constexpr std::string_view kError = "MG-GATE-ERROR";

}  // namespace modelgate::gate_rule
