#pragma once
// The Sigstore bundle (v0.3 JSON, with the older shapes model_signing has written) around a DSSE
// envelope. Parsing is lenient about field spelling; every check happens in the verifiers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sign/encoding.h"
#include "sign/result.h"

namespace modelgate::sign {

inline constexpr std::string_view kBundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";
inline constexpr std::size_t kMaxBundleBytes = 256u << 20;

struct InclusionProof {
  std::uint64_t log_index = 0, tree_size = 0;
  Bytes root_hash;
  std::vector<Bytes> hashes;
  std::string checkpoint;  // signed note text; empty when absent
};

struct TlogEntry {
  std::uint64_t log_index = 0;
  Bytes log_id;
  std::string kind, version;
  std::int64_t integrated_time = 0;
  std::optional<Bytes> signed_entry_timestamp;
  std::optional<InclusionProof> inclusion_proof;
  Bytes body;  // canonicalized Rekor entry body
};

enum class MaterialKind { public_key, certificate_chain, certificate, none };

struct Bundle {
  std::string media_type;
  MaterialKind material = MaterialKind::none;
  std::string key_hint;            // publicKey.hint (may be empty in old bundles)
  std::vector<Bytes> certificates; // DER, leaf first
  std::vector<TlogEntry> tlog_entries;
  std::string payload;             // decoded DSSE payload
  std::string payload_type;
  Bytes signature;                 // the single DSSE signature
};

// A media type of a Sigstore bundle version that OMS signatures are made in; any other is refused.
bool is_known_bundle_media_type(std::string_view media_type);
Expected<Bundle> parse_bundle(std::string_view text);

// Bundle JSON for the key method (publicKey hint) or the certificate method (leaf + chain DER).
std::string key_bundle_json(const std::string& payload, const Bytes& signature, const std::string& hint);
std::string certificate_bundle_json(const std::string& payload, const Bytes& signature,
                                    const std::vector<Bytes>& chain_der);

}  // namespace modelgate::sign
