#pragma once
// Offline verification of a keyless Sigstore bundle: Fulcio chain at the log's integrated time, the
// embedded SCT, the Rekor entry (signed entry timestamp, inclusion proof against a signed checkpoint,
// body matching the envelope) and the signer identity from the certificate.
#include <optional>
#include <regex>
#include <string>

#include "sign/bundle.h"
#include "sign/trusted_root.h"

namespace modelgate::sign {

struct SigstoreIdentity {
  std::string identity;           // SAN email or URI
  std::string identity_provider;  // OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8 or .1.1)
  // When set, instead of `identity`: a SAN must match this ECMAScript pattern as a whole (a
  // policy's subject_regex, e.g. every workflow of one repository).
  std::optional<std::regex> identity_pattern = std::nullopt;
};

Check verify_with_sigstore(const Bundle& bundle, const TrustedRoot& root, const SigstoreIdentity& expected);

// The canonical JSON Rekor signs as the signed entry timestamp.
std::string set_payload(const TlogEntry& entry);

}  // namespace modelgate::sign
