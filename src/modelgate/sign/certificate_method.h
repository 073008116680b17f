#pragma once
// The `certificate` method: an ECDSA key with its X.509 certificate and chain in the bundle, verified
// against caller-given trust anchors as of the leaf's validity start.
#include <filesystem>
#include <string>
#include <vector>

#include "sign/bundle.h"
#include "sign/openssl_util.h"

namespace modelgate::sign {

Expected<std::string> sign_with_certificate(const std::string& payload, EVP_PKEY* private_key, X509* signing_cert,
                                            const std::vector<Cert>& chain);

Check verify_with_certificate(const Bundle& bundle, const std::vector<Cert>& trust_anchors);

// The system's CA bundle, where OpenSSL looks by default ($SSL_CERT_FILE, else its built-in path):
// the anchors when none are given, read before the check (which may run where nothing can be opened).
std::filesystem::path system_ca_bundle();

// The leaf may sign when its key usage has digitalSignature, or its extended key usage has codeSigning.
Check check_signing_usage(X509* leaf);

}  // namespace modelgate::sign
