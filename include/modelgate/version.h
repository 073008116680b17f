#pragma once
namespace modelgate {
inline constexpr const char* kVersion = "0.1.0";
}
