#include "sign/sigstore_verifier.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <nlohmann/json.hpp>

#include "sign/checkpoint.h"
#include "sign/key_method.h"
#include "sign/merkle.h"
#include "sign/sct.h"

namespace modelgate::sign {

using nlohmann::json;

std::string set_payload(const TlogEntry& entry) {
  // Keys in lexicographic order, no whitespace: RFC 8785 for this shape.
  return "{\"body\":\"" + base64_encode(entry.body) + "\",\"integratedTime\":" + std::to_string(entry.integrated_time) +
         ",\"logID\":\"" + hex_encode(entry.log_id) + "\",\"logIndex\":" + std::to_string(entry.log_index) + "}";
}

namespace {

Error fail(const std::string& check, std::string detail) { return verification_failure(check, std::move(detail)); }

// Rekor's dsse 0.0.1 body must describe exactly this envelope: payload hash and the one signature
// with this certificate as its verifier.
Check check_entry_body(const TlogEntry& entry, const Bundle& bundle, X509* leaf) {
  json body = json::parse(entry.body.begin(), entry.body.end(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return fail("tlog body", "the entry body is not JSON");
  if (body.value("kind", "") != "dsse" || body.value("apiVersion", "") != "0.0.1")
    return fail("tlog body", "unsupported Rekor entry kind " + body.value("kind", "?") + " " + body.value("apiVersion", "?") +
                                 " (dsse 0.0.1 is supported)");
  if (entry.kind != "dsse") return fail("tlog body", "kindVersion does not match the entry body");
  const json spec = body.value("spec", json::object());
  const json hash = spec.value("payloadHash", json::object());
  Bytes expected = sha256(as_bytes(bundle.payload));
  if (hash.value("algorithm", "") != "sha256" || hash.value("value", "") != hex_encode(expected))
    return fail("tlog body", "the logged payload hash does not match the envelope's payload");
  const json sigs = spec.value("signatures", json::array());
  if (!sigs.is_array() || sigs.size() != 1) return fail("tlog body", "the logged entry does not have exactly one signature");
  auto logged_sig = base64_decode(sigs[0].value("signature", ""));
  if (!logged_sig || *logged_sig != bundle.signature)
    return fail("tlog body", "the logged signature differs from the envelope's signature");
  auto verifier_pem = base64_decode(sigs[0].value("verifier", ""));
  if (!verifier_pem) return fail("tlog body", "the logged verifier is not base64");
  std::string pem = to_string(*verifier_pem);
  auto certs = parse_certificates_pem(pem, "tlog body");
  if (!certs || certificate_der(certs->front().get()) != certificate_der(leaf))
    return fail("tlog body", "the logged certificate differs from the bundle's certificate");
  return Ok{};
}

Check check_tlog_entry(const TlogEntry& entry, const Bundle& bundle, const TrustedRoot& root, X509* leaf) {
  const TransparencyLogKey* log = nullptr;
  for (const auto& l : root.tlogs)
    if (l.log_id == entry.log_id) log = &l;
  if (log == nullptr) return fail("transparency log", "the entry comes from a log that is not in the trusted root");
  if (!log->valid.contains(entry.integrated_time))
    return fail("transparency log", "the log's key was not valid at the entry's integrated time");
  if (!entry.signed_entry_timestamp)
    return fail("signed entry timestamp", "the entry has no inclusion promise; the integrated time cannot be trusted");
  if (!verify_message(log->key.get(), EVP_sha256(), as_bytes(set_payload(entry)), *entry.signed_entry_timestamp))
    return fail("signed entry timestamp", "the log's signed entry timestamp does not verify");
  if (!entry.inclusion_proof) return fail("inclusion proof", "the entry has no inclusion proof");
  const auto& proof = *entry.inclusion_proof;
  if (auto r = verify_inclusion(merkle_leaf_hash(entry.body), proof.log_index, proof.tree_size, proof.hashes,
                                proof.root_hash);
      !r)
    return r;
  if (proof.checkpoint.empty()) return fail("checkpoint", "the inclusion proof has no signed checkpoint");
  auto cp = verify_checkpoint(proof.checkpoint, *log);
  if (!cp) return cp.error();
  if (cp->tree_size != proof.tree_size || cp->root_hash != proof.root_hash)
    return fail("checkpoint", "the signed checkpoint does not match the inclusion proof's tree size and root");
  return check_entry_body(entry, bundle, leaf);
}

// Verifies the leaf against a Fulcio CA valid at `when`; returns the issuing certificate.
Expected<Cert> check_fulcio_chain(X509* leaf, const TrustedRoot& root, std::int64_t when) {
  std::string why = "no certificate authority in the trusted root was valid at the integrated time";
  for (const auto& ca : root.certificate_authorities) {
    if (!ca.valid.contains(when)) continue;
    X509_STORE* store = X509_STORE_new();
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    X509_STORE_add_cert(store, ca.chain.back().get());
    for (std::size_t i = 0; i + 1 < ca.chain.size(); ++i) sk_X509_push(untrusted, ca.chain[i].get());
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, untrusted);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), static_cast<time_t>(when));
    Cert issuer;
    if (X509_verify_cert(ctx) == 1) {
      STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
      if (sk_X509_num(chain) >= 2) {
        X509* i = sk_X509_value(chain, 1);
        X509_up_ref(i);
        issuer.reset(i);
      }
    } else {
      why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
    ERR_clear_error();
    if (issuer) return issuer;
  }
  return fail("certificate chain", "the signing certificate does not chain to a Fulcio CA of the trusted root: " + why);
}

std::string extension_text(X509* cert, const char* oid, bool der_utf8) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  int idx = X509_get_ext_by_OBJ(cert, obj, -1);
  ASN1_OBJECT_free(obj);
  if (idx < 0) return {};
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
  const unsigned char* p = ASN1_STRING_get0_data(data);
  long len = ASN1_STRING_length(data);
  if (!der_utf8) return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
  ASN1_UTF8STRING* s = d2i_ASN1_UTF8STRING(nullptr, &p, len);
  if (s == nullptr) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));
  ASN1_UTF8STRING_free(s);
  return out;
}

Check check_identity(X509* leaf, const SigstoreIdentity& expected) {
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
    if (n->type == GEN_EMAIL || n->type == GEN_URI) {
      ASN1_IA5STRING* s = n->type == GEN_EMAIL ? n->d.rfc822Name : n->d.uniformResourceIdentifier;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));
    }
  }
  GENERAL_NAMES_free(sans);
  bool match = false;
  for (const auto& n : names)
    match = match || (expected.identity_pattern ? std::regex_match(n, *expected.identity_pattern) : n == expected.identity);
  if (!match) {
    std::string seen;
    for (const auto& n : names) seen += (seen.empty() ? "" : ", ") + n;
    std::string wanted = expected.identity_pattern ? "an identity matching the policy's pattern" : "'" + expected.identity + "'";
    return fail("identity", "the certificate was issued to '" + seen + "', not " + wanted);
  }
  std::string issuer = extension_text(leaf, "1.3.6.1.4.1.57264.1.8", true);
  if (issuer.empty()) issuer = extension_text(leaf, "1.3.6.1.4.1.57264.1.1", false);
  if (issuer.empty()) return fail("identity provider", "the certificate names no OIDC issuer");
  if (issuer != expected.identity_provider)
    return fail("identity provider", "the identity was vouched for by '" + issuer + "', not '" +
                                         expected.identity_provider + "'");
  return Ok{};
}

}  // namespace

Check verify_with_sigstore(const Bundle& bundle, const TrustedRoot& root, const SigstoreIdentity& expected) {
  if (bundle.material != MaterialKind::certificate && bundle.material != MaterialKind::certificate_chain)
    return fail("verification material", "the bundle has no Fulcio certificate (not a Sigstore keyless signature)");
  auto leaf = parse_certificate_der(bundle.certificates[0]);
  if (!leaf) return leaf.error();
  EVP_PKEY* key = X509_get0_pubkey(leaf->get());
  if (key == nullptr) return fail("certificate", "the signing certificate has no usable public key");
  if (auto r = verify_dsse_signature(bundle, key, false); !r) return r;
  if (bundle.tlog_entries.empty()) return fail("transparency log", "the bundle has no transparency log entry");
  const TlogEntry& entry = bundle.tlog_entries.front();
  if (auto r = check_tlog_entry(entry, bundle, root, leaf->get()); !r) return r;
  auto issuer = check_fulcio_chain(leaf->get(), root, entry.integrated_time);
  if (!issuer) return issuer.error();
  X509_check_purpose(leaf->get(), -1, 0);
  if (!(X509_get_extension_flags(leaf->get()) & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(leaf->get()) & XKU_CODE_SIGN))
    return fail("key usage", "the Fulcio certificate is not for code signing");
  if (auto r = verify_embedded_sct(leaf->get(), issuer->get(), root.ctlogs); !r) return r;
  return check_identity(leaf->get(), expected);
}

}  // namespace modelgate::sign
