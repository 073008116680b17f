#include "sign/key_method.h"

#include "sign/dsse.h"
#include "sign/statement.h"

namespace modelgate::sign {

Expected<std::string> sign_with_key(const std::string& payload, EVP_PKEY* private_key) {
  auto sig = sign_message(private_key, dsse_pae(kInTotoPayloadType, payload));
  if (!sig) return sig.error();
  return key_bundle_json(payload, *sig, public_key_hint(private_key));
}

Check check_key_bundle_media_type(const Bundle& bundle) {
  if (bundle.media_type == kBundleMediaType) return Ok{};
  return verification_failure("bundle", "mediaType '" + bundle.media_type + "': key and certificate signatures are " +
                                            std::string(kBundleMediaType) + " bundles");
}

Check verify_dsse_signature(const Bundle& bundle, EVP_PKEY* public_key, bool allow_v02_pae) {
  const EVP_MD* md = EVP_PKEY_get_base_id(public_key) == EVP_PKEY_EC ? ecdsa_digest_for(public_key) : EVP_sha256();
  std::string pae = dsse_pae(bundle.payload_type, bundle.payload);
  if (verify_message(public_key, md, as_bytes(pae), bundle.signature)) return Ok{};
  if (allow_v02_pae) {
    std::string legacy = dsse_pae_v02(bundle.payload_type, bundle.payload);
    // model_signing 0.2 hashed with SHA-256 whatever the curve.
    if (verify_message(public_key, md, as_bytes(legacy), bundle.signature) ||
        verify_message(public_key, EVP_sha256(), as_bytes(legacy), bundle.signature))
      return Ok{};
  }
  return verification_failure("signature", "the DSSE signature does not verify with the given key");
}

Check verify_with_key(const Bundle& bundle, EVP_PKEY* public_key) {
  if (auto r = check_key_bundle_media_type(bundle); !r) return r;
  // As in the reference, the key decides: a certificate bundle also verifies with its leaf's public key.
  if (bundle.material == MaterialKind::public_key && !bundle.key_hint.empty() && bundle.key_hint != public_key_hint(public_key))
    return verification_failure("key hint", "the bundle's public key hint " + bundle.key_hint +
                                                " does not match the given public key (" + public_key_hint(public_key) + ")");
  return verify_dsse_signature(bundle, public_key, true);
}

}  // namespace modelgate::sign
