#pragma once
// Thin RAII and helper layer over OpenSSL 3 for keys, certificates and signatures.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sign/encoding.h"
#include "sign/result.h"

namespace modelgate::sign {

struct PKeyFree { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct X509Free { void operator()(X509* c) const { X509_free(c); } };
using PKey = std::unique_ptr<EVP_PKEY, PKeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

// The last OpenSSL error as text (and clears the queue).
std::string openssl_error();

// Reads a key, certificate, bundle or trusted root without blocking (core/regular_file.h).
Expected<std::string> read_small_file(const std::filesystem::path& path, std::size_t limit, std::string_view what);

// ECDSA keys on P-256, P-384 or P-521 only, as the reference supports. An encrypted key needs
// `password`; there is never a prompt.
Expected<PKey> load_private_key_pem(const std::string& pem, const std::optional<std::string>& password = std::nullopt);
// The SHA-256 fingerprint of a certificate, as colon-separated uppercase hex (--log-fingerprints).
std::string certificate_fingerprint(std::span<const std::uint8_t> der);
// PEM or DER SubjectPublicKeyInfo, or a compressed EC point (33/49/67 bytes).
Expected<PKey> load_public_key(const std::string& bytes);
Check check_supported_ec_key(EVP_PKEY* key);
// SHA-256 for P-256, SHA-384 for P-384, SHA-512 for P-521 (the reference's choice).
const EVP_MD* ecdsa_digest_for(EVP_PKEY* key);

// PEM SubjectPublicKeyInfo text, and the reference's key hint: hex SHA-256 of that PEM.
std::string public_key_pem(EVP_PKEY* key);
std::string public_key_hint(EVP_PKEY* key);
Bytes public_key_der(EVP_PKEY* key);

Expected<Bytes> sign_message(EVP_PKEY* key, std::string_view message);
// Verifies a signature (DER ECDSA or raw Ed25519) over `message` with digest `md` (ignored for Ed25519).
bool verify_message(EVP_PKEY* key, const EVP_MD* md, std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature);

Expected<Cert> parse_certificate_der(std::span<const std::uint8_t> der);
Expected<std::vector<Cert>> parse_certificates_pem(const std::string& pem, std::string_view what);
Bytes certificate_der(X509* cert);

Bytes sha256(std::span<const std::uint8_t> data);

}  // namespace modelgate::sign
