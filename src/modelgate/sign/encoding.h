#pragma once
// Decimal, hex and base64 codecs for digests, signatures and DER blobs found in bundles.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modelgate::sign {

using Bytes = std::vector<std::uint8_t>;

// Plain decimal digits, at most 19 (so no overflow); nullopt otherwise.
std::optional<std::uint64_t> parse_decimal(std::string_view s);

std::string hex_encode(std::span<const std::uint8_t> bytes);
// Lowercase or uppercase hex, even length; nullopt otherwise.
std::optional<Bytes> hex_decode(std::string_view text);

std::string base64_encode(std::span<const std::uint8_t> bytes);
// Standard or URL-safe alphabet, padding optional (as protobuf's JSON mapping accepts); nullopt on any
// other character or an impossible length.
std::optional<Bytes> base64_decode(std::string_view text);

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string to_string(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace modelgate::sign
