#pragma once
// Key and certificate builders for the signing tests: everything is generated in the test with
// OpenSSL, nothing is committed.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string>

#include "sign/openssl_util.h"
#include "test_util.h"

namespace mgtest {

inline modelgate::sign::PKey generate_ec_key(const char* curve) {
  return modelgate::sign::PKey(EVP_EC_gen(curve));
}

inline std::string private_key_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

inline std::string certificate_pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

struct CertSpec {
  std::string common_name;
  bool ca = false;
  long not_before_days = -1;  // relative to now
  long not_after_days = 365;
  const char* key_usage = nullptr;  // e.g. "critical,digitalSignature"
  const char* extended_key_usage = nullptr;
};

// Issues a certificate for `key`; self-signed when issuer is null.
inline modelgate::sign::Cert make_certificate(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1000;
  modelgate::sign::Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_days * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  auto add = [&](int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  add(NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add(NID_subject_key_identifier, "hash");
  if (issuer) add(NID_authority_key_identifier, "keyid:always");
  if (spec.key_usage) add(NID_key_usage, spec.key_usage);
  if (spec.extended_key_usage) add(NID_ext_key_usage, spec.extended_key_usage);
  X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256());
  return cert;
}

// A root, an intermediate and a code-signing leaf, all on `curve`.
struct TestPki {
  modelgate::sign::PKey root_key, int_key, leaf_key;
  modelgate::sign::Cert root, intermediate, leaf;
};

inline TestPki make_test_pki(const char* curve = "P-256") {
  TestPki p;
  p.root_key = generate_ec_key(curve);
  p.int_key = generate_ec_key(curve);
  p.leaf_key = generate_ec_key(curve);
  p.root = make_certificate({"test-root", true, -10, 3650, "critical,keyCertSign,cRLSign"}, p.root_key.get(), nullptr, nullptr);
  p.intermediate = make_certificate({"test-intermediate", true, -5, 1000, "critical,keyCertSign,cRLSign"},
                                    p.int_key.get(), p.root.get(), p.root_key.get());
  p.leaf = make_certificate({"test-signer", false, -1, 30, "critical,digitalSignature", "codeSigning"}, p.leaf_key.get(),
                            p.intermediate.get(), p.int_key.get());
  return p;
}

inline std::string public_key_pem_of(EVP_PKEY* key) { return modelgate::sign::public_key_pem(key); }

}  // namespace mgtest
