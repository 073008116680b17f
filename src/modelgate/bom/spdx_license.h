#pragma once
// SPDX licence identifiers: the list compiled in from the vendored CycloneDX `spdx.schema.json`.
#include <optional>
#include <string_view>

namespace modelgate::bom {

// The list's spelling of `text` when it is an SPDX licence identifier (SPDX identifiers match
// without regard to case: Hugging Face cards write `apache-2.0`); nullopt when it is not on the list.
std::optional<std::string_view> spdx_license_id(std::string_view text);

}  // namespace modelgate::bom
