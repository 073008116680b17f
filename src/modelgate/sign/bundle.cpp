#include "sign/bundle.h"

#include <nlohmann/json.hpp>

#include "sign/statement.h"

namespace modelgate::sign {

using nlohmann::json;

namespace {

Failure bad(std::string detail) { return verification_failure("bundle", std::move(detail)); }

const json* member(const json* obj, const char* key) {
  if (obj == nullptr || !obj->is_object()) return nullptr;
  auto it = obj->find(key);
  return it == obj->end() || it->is_null() ? nullptr : &*it;
}

// Protobuf JSON writes 64-bit integers as strings; accept numbers too.
std::optional<std::uint64_t> as_u64(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v->get<std::int64_t>());
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      out = out * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return out;
  }
  return std::nullopt;
}

Result<Bytes> b64_field(const json* v, const std::string& what) {
  if (v == nullptr || !v->is_string()) return bad(what + " is missing");
  auto out = base64_decode(v->get<std::string>());
  if (!out) return bad(what + " is not valid base64");
  return std::move(*out);
}

Result<TlogEntry> parse_tlog_entry(const json& e) {
  TlogEntry t;
  auto index = as_u64(member(&e, "logIndex"));
  if (!index) return bad("tlog entry logIndex is missing");
  t.log_index = *index;
  auto log_id = b64_field(member(member(&e, "logId"), "keyId"), "tlog entry logId.keyId");
  if (!log_id) return log_id.failure();
  t.log_id = std::move(*log_id);
  if (const json* kv = member(&e, "kindVersion")) {
    if (const json* k = member(kv, "kind"); k && k->is_string()) t.kind = *k;
    if (const json* v = member(kv, "version"); v && v->is_string()) t.version = *v;
  }
  auto time = as_u64(member(&e, "integratedTime"));
  if (!time || *time > 0x7fffffffffffULL) return bad("tlog entry integratedTime is missing");
  t.integrated_time = static_cast<std::int64_t>(*time);
  if (const json* promise = member(&e, "inclusionPromise")) {
    auto set = b64_field(member(promise, "signedEntryTimestamp"), "signedEntryTimestamp");
    if (!set) return set.failure();
    t.signed_entry_timestamp = std::move(*set);
  }
  if (const json* proof = member(&e, "inclusionProof")) {
    InclusionProof p;
    auto pi = as_u64(member(proof, "logIndex"));
    auto ts = as_u64(member(proof, "treeSize"));
    if (!pi || !ts) return bad("inclusion proof logIndex/treeSize missing");
    p.log_index = *pi;
    p.tree_size = *ts;
    auto root = b64_field(member(proof, "rootHash"), "inclusion proof rootHash");
    if (!root) return root.failure();
    p.root_hash = std::move(*root);
    if (const json* hashes = member(proof, "hashes")) {
      if (!hashes->is_array() || hashes->size() > 64) return bad("inclusion proof hashes malformed");
      for (const auto& h : *hashes) {
        auto hb = b64_field(&h, "inclusion proof hash");
        if (!hb) return hb.failure();
        p.hashes.push_back(std::move(*hb));
      }
    }
    if (const json* env = member(member(proof, "checkpoint"), "envelope"); env && env->is_string()) p.checkpoint = *env;
    t.inclusion_proof = std::move(p);
  }
  auto body = b64_field(member(&e, "canonicalizedBody"), "tlog entry canonicalizedBody");
  if (!body) return body.failure();
  t.body = std::move(*body);
  return t;
}

}  // namespace

Result<Bundle> parse_bundle(std::string_view text) {
  if (text.size() > kMaxBundleBytes) return bad("larger than the bundle size limit");
  json root = json::parse(text.begin(), text.end(), nullptr, false);
  if (root.is_discarded()) return bad("not valid JSON (missing, truncated or malformed file)");
  if (!root.is_object()) return bad("not a JSON object");
  Bundle b;
  const json* media = member(&root, "mediaType");
  if (media == nullptr || !media->is_string()) return bad("mediaType is missing");
  b.media_type = *media;
  if (!b.media_type.starts_with("application/vnd.dev.sigstore.bundle"))
    return bad("mediaType '" + b.media_type + "' is not a Sigstore bundle");

  const json* vm = member(&root, "verificationMaterial");
  if (vm == nullptr || !vm->is_object()) return bad("verificationMaterial is missing");
  if (const json* pk = member(vm, "publicKey")) {
    b.material = MaterialKind::public_key;
    if (const json* hint = member(pk, "hint"); hint && hint->is_string()) b.key_hint = *hint;
  } else if (const json* chain = member(vm, "x509CertificateChain")) {
    b.material = MaterialKind::certificate_chain;
    const json* certs = member(chain, "certificates");
    if (certs == nullptr || !certs->is_array() || certs->empty()) return bad("x509CertificateChain has no certificates");
    if (certs->size() > 16) return bad("x509CertificateChain is too long");
    for (const auto& c : *certs) {
      auto der = b64_field(member(&c, "rawBytes"), "certificate rawBytes");
      if (!der) return der.failure();
      b.certificates.push_back(std::move(*der));
    }
  } else if (const json* cert = member(vm, "certificate")) {
    b.material = MaterialKind::certificate;
    auto der = b64_field(member(cert, "rawBytes"), "certificate rawBytes");
    if (!der) return der.failure();
    b.certificates.push_back(std::move(*der));
  } else {
    return bad("verificationMaterial has no publicKey, x509CertificateChain or certificate");
  }
  if (const json* entries = member(vm, "tlogEntries")) {
    if (!entries->is_array() || entries->size() > 16) return bad("tlogEntries is not a short list");
    for (const auto& e : *entries) {
      auto t = parse_tlog_entry(e);
      if (!t) return t.failure();
      b.tlog_entries.push_back(std::move(*t));
    }
  }

  const json* env = member(&root, "dsseEnvelope");
  if (env == nullptr || !env->is_object()) return bad("dsseEnvelope is missing (message signatures are not OMS)");
  auto payload = b64_field(member(env, "payload"), "dsseEnvelope.payload");
  if (!payload) return payload.failure();
  b.payload = to_string(*payload);
  const json* type = member(env, "payloadType");
  if (type == nullptr || !type->is_string()) return bad("dsseEnvelope.payloadType is missing");
  b.payload_type = *type;
  const json* sigs = member(env, "signatures");
  if (sigs == nullptr || !sigs->is_array() || sigs->empty()) return bad("dsseEnvelope has no signatures");
  if (sigs->size() != 1) return bad("dsseEnvelope has " + std::to_string(sigs->size()) + " signatures; exactly one is expected");
  const json* sig = member(&(*sigs)[0], "sig");
  auto sig_bytes = b64_field(sig, "DSSE signature");
  if (!sig_bytes) return sig_bytes.failure();
  if (sig_bytes->empty()) return bad("the DSSE signature is empty");
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
