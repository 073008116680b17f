#pragma once
// DSSE pre-authentication encoding (PAE), the bytes a DSSE signature covers.
#include <string>
#include <string_view>

namespace modelgate::sign {

// "DSSEv1 <len(type)> <type> <len(payload)> <payload>"
std::string dsse_pae(std::string_view payload_type, std::string_view payload);

// The encoding model_signing 0.2 actually signed: "DSSEV1 ..." with the payload rendered as a Python
// bytes literal (b'...'). Accepted only as a fallback when verifying, as the reference does.
std::string dsse_pae_v02(std::string_view payload_type, std::string_view payload);

}  // namespace modelgate::sign
