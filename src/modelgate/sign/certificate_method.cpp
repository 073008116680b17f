#include "sign/certificate_method.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <ctime>

#include "sign/dsse.h"
#include "sign/key_method.h"
#include "sign/statement.h"

namespace modelgate::sign {

Expected<std::string> sign_with_certificate(const std::string& payload, EVP_PKEY* private_key, X509* signing_cert,
                                            const std::vector<Cert>& chain) {
  if (EVP_PKEY_eq(X509_get0_pubkey(signing_cert), private_key) != 1)
    return usage_failure("signing certificate", "the certificate's public key does not match the private key");
  auto sig = sign_message(private_key, dsse_pae(kInTotoPayloadType, payload));
  if (!sig) return sig.error();
  std::vector<Bytes> ders{certificate_der(signing_cert)};
  for (const auto& c : chain) ders.push_back(certificate_der(c.get()));
  return certificate_bundle_json(payload, *sig, ders);
}

Check check_signing_usage(X509* leaf) {
  X509_check_purpose(leaf, -1, 0);  // caches the extensions
  uint32_t flags = X509_get_extension_flags(leaf);
  if (!(flags & EXFLAG_KUSAGE))
    return verification_failure("key usage", "the signing certificate has no key usage extension");
  if (X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE) return Ok{};
  if ((flags & EXFLAG_XKUSAGE) && (X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN)) return Ok{};
  return verification_failure("key usage", "the signing certificate may not be used for signing "
                                           "(no digitalSignature key usage, no codeSigning extended key usage)");
}

std::filesystem::path system_ca_bundle() {
  const char* env = std::getenv(X509_get_default_cert_file_env());
  return env != nullptr && *env != '\0' ? env : X509_get_default_cert_file();
}

Check verify_with_certificate(const Bundle& bundle, const std::vector<Cert>& trust_anchors) {
  if (bundle.material != MaterialKind::certificate_chain && bundle.material != MaterialKind::certificate)
    return verification_failure("verification material", "the bundle has no certificate chain");
  if (auto r = check_key_bundle_media_type(bundle); !r) return r;
  auto leaf = parse_certificate_der(bundle.certificates[0]);
  if (!leaf) return leaf.error();
  std::vector<Cert> intermediates;
  for (std::size_t i = 1; i < bundle.certificates.size(); ++i) {
    auto c = parse_certificate_der(bundle.certificates[i]);
    if (!c) return c.error();
    intermediates.push_back(std::move(*c));
  }

  X509_STORE* store = X509_STORE_new();
  for (const auto& anchor : trust_anchors) X509_STORE_add_cert(store, anchor.get());
  // No anchors given: the system's CA certificates, as the reference falls back to its CA bundle.
  if (trust_anchors.empty()) X509_STORE_set_default_paths(store);
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (const auto& c : intermediates) sk_X509_push(untrusted, c.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf->get(), untrusted);
  // As the reference does: the chain is judged at the moment the leaf became valid, so a signature
  // outlives the short-lived leaf but a chain that was never valid is still refused.
  const ASN1_TIME* not_before = X509_get0_notBefore(leaf->get());
  struct tm tm {};
  ASN1_TIME_to_tm(not_before, &tm);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), timegm(&tm));
  int ok = X509_verify_cert(ctx);
  std::string why = ok == 1 ? "" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted);
  X509_STORE_free(store);
  ERR_clear_error();
  if (ok != 1) return verification_failure("certificate chain", "the signing certificate does not chain to the given trust anchors: " + why);

  if (auto r = check_signing_usage(leaf->get()); !r) return r;
  EVP_PKEY* key = X509_get0_pubkey(leaf->get());
  if (key == nullptr) return verification_failure("certificate", "the signing certificate has no usable public key");
  return verify_dsse_signature(bundle, key, true);
}

}  // namespace modelgate::sign
