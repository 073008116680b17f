#pragma once
// Static decoders for the wrappers attackers put around nested payloads (base64, zlib, hex).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace modelgate::pickle {

// Like base64.b64decode(validate=False): characters outside the alphabet are skipped;
// `urlsafe` uses '-' and '_'. nullopt on bad padding.
std::optional<std::string> decode_base64(std::string_view text, bool urlsafe);
std::optional<std::string> decode_hex(std::string_view text);
// zlib.decompress with the wbits of zlib (15), raw deflate (-15) or gzip (31); output bounded.
// `produced` gets the bytes inflated, also when the result is nullopt (the work it cost).
std::optional<std::string> inflate_bounded(std::string_view data, int window_bits, std::size_t max_output,
                                           std::size_t* produced = nullptr);

}  // namespace modelgate::pickle
