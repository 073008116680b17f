#pragma once
// A Sigstore trusted root (application/vnd.dev.sigstore.trustedroot+json;version=0.1): Fulcio CA
// chains, Rekor transparency log keys and CT log keys, each with its validity window.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sign/openssl_util.h"

namespace modelgate::sign {

struct ValidityWindow {
  std::int64_t start = 0;
  std::optional<std::int64_t> end;
  bool contains(std::int64_t t) const { return t >= start && (!end || t <= *end); }
};

struct TransparencyLogKey {
  std::string base_url;
  Bytes log_id;  // SHA-256 of the DER public key
  PKey key;
  ValidityWindow valid;
};

struct CertificateAuthority {
  std::string uri;
  std::vector<Cert> chain;  // leafmost first, root last
  ValidityWindow valid;
};

struct TrustedRoot {
  std::vector<TransparencyLogKey> tlogs;
  std::vector<TransparencyLogKey> ctlogs;
  std::vector<CertificateAuthority> certificate_authorities;
};

Expected<TrustedRoot> parse_trusted_root(std::string_view text);

// RFC 3339 "2021-01-12T11:53:27Z" / "2022-12-31T23:59:59.999Z" to Unix seconds.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace modelgate::sign
