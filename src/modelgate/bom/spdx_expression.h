#pragma once
// SPDX licence expressions (SPDX 2.3 Annex D: `MIT OR Apache-2.0`, `(GPL-2.0-only WITH
// Classpath-exception-2.0) AND BSD-3-Clause`, `LicenseRef-x`), for CycloneDX's `expression` choice.
#include <optional>
#include <string>
#include <string_view>

namespace modelgate::bom {

// The expression with every identifier spelled as the SPDX list spells it and single spaces
// between tokens, when `text` is a compound expression (an operator, a `+` or a LicenseRef) whose
// identifiers are all on the compiled-in list; nullopt otherwise (a plain identifier, free text,
// an unknown identifier, operators not in upper case, nesting past 16 levels or over 64 tokens).
std::optional<std::string> spdx_expression(std::string_view text);

}  // namespace modelgate::bom
