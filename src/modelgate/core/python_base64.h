#pragma once
// Base64 decoded as Python's base64.b64decode(s) decodes it (binascii.a2b_base64 with
// strict_mode=False, CPython 3.11+): characters outside the alphabet are skipped, decoding stops at
// the first complete padding, and a final group of one character or an unpadded group is an error
// ("Incorrect padding"). So the bytes decoded are the bytes a loader that calls b64decode receives
// (Stable-Baselines3's json_to_data hands them to cloudpickle.loads).
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace modelgate {

// An error names the offset and binascii's reason, or that more than `max_out` bytes would come out.
Expected<std::vector<std::uint8_t>> python_b64decode(std::string_view text, std::uint64_t max_out);

}  // namespace modelgate
