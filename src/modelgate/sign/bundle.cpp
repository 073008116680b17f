#include "sign/bundle.h"

#include <nlohmann/json.hpp>

#include "sign/json_member.h"
#include "sign/statement.h"

namespace modelgate::sign {

using nlohmann::json;

namespace {

Error bundle_error(std::string detail) { return verification_failure("bundle", std::move(detail)); }

// Protobuf JSON writes 64-bit integers as strings; accept numbers too.
std::optional<std::uint64_t> as_u64(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v->get<std::int64_t>());
  if (v->is_string()) return parse_decimal(v->get_ref<const std::string&>());
  return std::nullopt;
}

Expected<Bytes> b64_field(const json* v, const std::string& what) {
  if (v == nullptr || !v->is_string()) return bundle_error(what + " is missing");
  auto out = base64_decode(v->get<std::string>());
  if (!out) return bundle_error(what + " is not valid base64");
  return std::move(*out);
}

Expected<TlogEntry> parse_tlog_entry(const json& e) {
  TlogEntry t;
  auto index = as_u64(json_member(&e, "logIndex"));
  if (!index) return bundle_error("tlog entry logIndex is missing");
  t.log_index = *index;
  auto log_id = b64_field(json_member(json_member(&e, "logId"), "keyId"), "tlog entry logId.keyId");
  if (!log_id) return log_id.error();
  t.log_id = std::move(*log_id);
  if (const json* kv = json_member(&e, "kindVersion")) {
    if (const json* k = json_member(kv, "kind"); k && k->is_string()) t.kind = *k;
    if (const json* v = json_member(kv, "version"); v && v->is_string()) t.version = *v;
  }
  auto time = as_u64(json_member(&e, "integratedTime"));
  if (!time || *time > 0x7fffffffffffULL) return bundle_error("tlog entry integratedTime is missing");
  t.integrated_time = static_cast<std::int64_t>(*time);
  if (const json* promise = json_member(&e, "inclusionPromise")) {
    auto set = b64_field(json_member(promise, "signedEntryTimestamp"), "signedEntryTimestamp");
    if (!set) return set.error();
    t.signed_entry_timestamp = std::move(*set);
  }
  if (const json* proof = json_member(&e, "inclusionProof")) {
    InclusionProof p;
    auto pi = as_u64(json_member(proof, "logIndex"));
    auto ts = as_u64(json_member(proof, "treeSize"));
    if (!pi || !ts) return bundle_error("inclusion proof logIndex/treeSize missing");
    p.log_index = *pi;
    p.tree_size = *ts;
    auto root = b64_field(json_member(proof, "rootHash"), "inclusion proof rootHash");
    if (!root) return root.error();
    p.root_hash = std::move(*root);
    if (const json* hashes = json_member(proof, "hashes")) {
      if (!hashes->is_array() || hashes->size() > 64) return bundle_error("inclusion proof hashes malformed");
      for (const auto& h : *hashes) {
        auto hb = b64_field(&h, "inclusion proof hash");
        if (!hb) return hb.error();
        p.hashes.push_back(std::move(*hb));
      }
    }
    if (const json* env = json_member(json_member(proof, "checkpoint"), "envelope"); env && env->is_string()) p.checkpoint = *env;
    t.inclusion_proof = std::move(p);
  }
  auto body = b64_field(json_member(&e, "canonicalizedBody"), "tlog entry canonicalizedBody");
  if (!body) return body.error();
  t.body = std::move(*body);
  return t;
}

}  // namespace

bool is_known_bundle_media_type(std::string_view media_type) {
  // The forms Sigstore clients write and sigstore-python (the reference's Sigstore verifier) accepts.
  for (std::string_view known : {kBundleMediaType, std::string_view("application/vnd.dev.sigstore.bundle+json;version=0.3"),
                                 std::string_view("application/vnd.dev.sigstore.bundle+json;version=0.2"),
                                 std::string_view("application/vnd.dev.sigstore.bundle+json;version=0.1")})
    if (media_type == known) return true;
  return false;
}

Expected<Bundle> parse_bundle(std::string_view text) {
  if (text.size() > kMaxBundleBytes) return bundle_error("larger than the bundle size limit");
  json root = json::parse(text.begin(), text.end(), nullptr, false);
  if (root.is_discarded()) return bundle_error("not valid JSON (missing, truncated or malformed file)");
  if (!root.is_object()) return bundle_error("not a JSON object");
  Bundle b;
  const json* media = json_member(&root, "mediaType");
  if (media == nullptr || !media->is_string()) return bundle_error("mediaType is missing");
  b.media_type = *media;
  if (!is_known_bundle_media_type(b.media_type))
    return bundle_error("mediaType '" + b.media_type + "' is not a Sigstore bundle version OMS signatures use (v0.1 to v0.3)");

  const json* vm = json_member(&root, "verificationMaterial");
  if (vm == nullptr || !vm->is_object()) return bundle_error("verificationMaterial is missing");
  if (const json* pk = json_member(vm, "publicKey")) {
    b.material = MaterialKind::public_key;
    if (const json* hint = json_member(pk, "hint"); hint && hint->is_string()) b.key_hint = *hint;
  } else if (const json* chain = json_member(vm, "x509CertificateChain")) {
    b.material = MaterialKind::certificate_chain;
    const json* certs = json_member(chain, "certificates");
    if (certs == nullptr || !certs->is_array() || certs->empty()) return bundle_error("x509CertificateChain has no certificates");
    if (certs->size() > 16) return bundle_error("x509CertificateChain is too long");
    for (const auto& c : *certs) {
      auto der = b64_field(json_member(&c, "rawBytes"), "certificate rawBytes");
      if (!der) return der.error();
      b.certificates.push_back(std::move(*der));
    }
  } else if (const json* cert = json_member(vm, "certificate")) {
    b.material = MaterialKind::certificate;
    auto der = b64_field(json_member(cert, "rawBytes"), "certificate rawBytes");
    if (!der) return der.error();
    b.certificates.push_back(std::move(*der));
  } else {
    return bundle_error("verificationMaterial has no publicKey, x509CertificateChain or certificate");
  }
  if (const json* entries = json_member(vm, "tlogEntries")) {
    if (!entries->is_array() || entries->size() > 16) return bundle_error("tlogEntries is not a short list");
    for (const auto& e : *entries) {
      auto t = parse_tlog_entry(e);
      if (!t) return t.error();
      b.tlog_entries.push_back(std::move(*t));
    }
  }

  const json* env = json_member(&root, "dsseEnvelope");
  if (env == nullptr || !env->is_object()) return bundle_error("dsseEnvelope is missing (message signatures are not OMS)");
  auto payload = b64_field(json_member(env, "payload"), "dsseEnvelope.payload");
  if (!payload) return payload.error();
  b.payload = to_string(*payload);
  const json* type = json_member(env, "payloadType");
  if (type == nullptr || !type->is_string()) return bundle_error("dsseEnvelope.payloadType is missing");
  b.payload_type = *type;
  const json* sigs = json_member(env, "signatures");
  if (sigs == nullptr || !sigs->is_array() || sigs->empty()) return bundle_error("dsseEnvelope has no signatures");
  if (sigs->size() != 1) return bundle_error("dsseEnvelope has " + std::to_string(sigs->size()) + " signatures; exactly one is expected");
  const json* sig = json_member(&(*sigs)[0], "sig");
  auto sig_bytes = b64_field(sig, "DSSE signature");
  if (!sig_bytes) return sig_bytes.error();
  if (sig_bytes->empty()) return bundle_error("the DSSE signature is empty");
  b.signature = std::move(*sig_bytes);
  return b;
}

static json envelope_json(const std::string& payload, const Bytes& signature) {
  return {{"payload", base64_encode(as_bytes(payload))},
          {"payloadType", std::string(kInTotoPayloadType)},
          {"signatures", json::array({{{"sig", base64_encode(signature)}, {"keyid", ""}}})}};
}

std::string key_bundle_json(const std::string& payload, const Bytes& signature, const std::string& hint) {
  json b = {{"mediaType", std::string(kBundleMediaType)},
            {"verificationMaterial", {{"publicKey", {{"hint", hint}}}, {"tlogEntries", json::array()}}},
            {"dsseEnvelope", envelope_json(payload, signature)}};
  return b.dump() + "\n";
}

std::string certificate_bundle_json(const std::string& payload, const Bytes& signature,
                                    const std::vector<Bytes>& chain_der) {
  json certs = json::array();
  for (const auto& der : chain_der) certs.push_back({{"rawBytes", base64_encode(der)}});
  json b = {{"mediaType", std::string(kBundleMediaType)},
            {"verificationMaterial", {{"x509CertificateChain", {{"certificates", certs}}}, {"tlogEntries", json::array()}}},
            {"dsseEnvelope", envelope_json(payload, signature)}};
  return b.dump() + "\n";
}

}  // namespace modelgate::sign
