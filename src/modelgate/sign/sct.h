#pragma once
// Embedded Signed Certificate Timestamps (RFC 6962 §3.2) in a Fulcio leaf, checked against the CT log
// keys of the trusted root.
#include <openssl/x509.h>

#include <vector>

#include "sign/trusted_root.h"

namespace modelgate::sign {

Check verify_embedded_sct(X509* leaf, X509* issuer, const std::vector<TransparencyLogKey>& ctlogs);

}  // namespace modelgate::sign
