#pragma once
// The `key` method: a bare ECDSA key, identified in the bundle by the reference's key hint.
#include <string>

#include "sign/bundle.h"
#include "sign/openssl_util.h"

namespace modelgate::sign {

Expected<std::string> sign_with_key(const std::string& payload, EVP_PKEY* private_key);

// Checks the DSSE signature of `bundle` with `public_key` (and the key hint when the bundle has one);
// the payload is then trustworthy.
Check verify_with_key(const Bundle& bundle, EVP_PKEY* public_key);

// The reference's key and certificate verifiers accept only the v0.3 media type they write.
Check check_key_bundle_media_type(const Bundle& bundle);

// DSSE signature check shared by the key and certificate methods (with the v0.2 PAE fallback).
Check verify_dsse_signature(const Bundle& bundle, EVP_PKEY* public_key, bool allow_v02_pae);

}  // namespace modelgate::sign
