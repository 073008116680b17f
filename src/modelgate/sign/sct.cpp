#include "sign/sct.h"

#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace modelgate::sign {

namespace {

// The TBSCertificate of the precertificate the log signed: the leaf's TBS without the SCT list.
Expected<Bytes> precert_tbs(X509* leaf) {
  Cert copy(X509_dup(leaf));
  if (!copy) return verification_failure("SCT", "cannot copy the certificate");
  int idx = X509_get_ext_by_NID(copy.get(), NID_ct_precert_scts, -1);
  if (idx < 0) return verification_failure("SCT", "the certificate has no embedded SCT list");
  X509_EXTENSION_free(X509_delete_ext(copy.get(), idx));
  unsigned char* der = nullptr;
  int n = i2d_re_X509_tbs(copy.get(), &der);
  if (n <= 0) return verification_failure("SCT", "cannot re-encode the precertificate");
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

void put(Bytes& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

Check verify_embedded_sct(X509* leaf, X509* issuer, const std::vector<TransparencyLogKey>& ctlogs) {
  auto* scts = static_cast<STACK_OF(SCT)*>(X509_get_ext_d2i(leaf, NID_ct_precert_scts, nullptr, nullptr));
  if (scts == nullptr) {
    ERR_clear_error();
    return verification_failure("SCT", "the signing certificate has no embedded SCT");
  }
  auto tbs = precert_tbs(leaf);
  if (!tbs) {
    SCT_LIST_free(scts);
    return tbs.error();
  }
  Bytes issuer_key_hash = sha256(public_key_der(X509_get0_pubkey(issuer)));
  std::string last = "no SCT from a known CT log";
  bool verified = false;
  for (int i = 0; i < sk_SCT_num(scts) && !verified; ++i) {
    SCT* sct = sk_SCT_value(scts, i);
    if (SCT_get_version(sct) != SCT_VERSION_V1) continue;
    unsigned char* log_id = nullptr;
    std::size_t log_id_len = SCT_get0_log_id(sct, &log_id);
    const TransparencyLogKey* log = nullptr;
    for (const auto& l : ctlogs)
      if (l.log_id.size() == log_id_len && std::equal(l.log_id.begin(), l.log_id.end(), log_id)) log = &l;
    if (log == nullptr) continue;
    std::uint64_t timestamp = SCT_get_timestamp(sct);
    if (!log->valid.contains(static_cast<std::int64_t>(timestamp / 1000))) {
      last = "the SCT's CT log key was not valid at the SCT's time";
      continue;
    }
    unsigned char* ext = nullptr;
    std::size_t ext_len = SCT_get0_extensions(sct, &ext);
    unsigned char* sig = nullptr;
    std::size_t sig_len = SCT_get0_signature(sct, &sig);
    if (tbs->size() >= (1u << 24) || ext_len >= (1u << 16)) continue;
    Bytes data;
    data.push_back(0);  // sct_version v1
    data.push_back(0);  // signature_type certificate_timestamp
    put(data, timestamp, 8);
    put(data, 1, 2);    // entry_type precert_entry
    data.insert(data.end(), issuer_key_hash.begin(), issuer_key_hash.end());
    put(data, tbs->size(), 3);
    data.insert(data.end(), tbs->begin(), tbs->end());
    put(data, ext_len, 2);
    if (ext_len > 0) data.insert(data.end(), ext, ext + ext_len);
    if (verify_message(log->key.get(), EVP_sha256(), data, {sig, sig_len}))
      verified = true;
    else
      last = "the SCT signature does not verify with the CT log's key";
  }
  SCT_LIST_free(scts);
  if (!verified) return verification_failure("SCT", last);
  return Ok{};
}

}  // namespace modelgate::sign
