#pragma once
// The shipped Sigstore public-good trusted root (data/sigstore/trusted_root.json), compiled in.
#include <string_view>

namespace modelgate::sign {

std::string_view embedded_trusted_root();

}  // namespace modelgate::sign
