#include "sign/signed_manifest_codec.h"

#include <cstring>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "sign/hash_algorithm.h"

namespace modelgate::sign {

namespace {

constexpr char kMagic[4] = {'M', 'G', 'V', 'M'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kMinItemBytes = 4 + 1 + 8 + 8 + 1 + 4;

class MessageReader {
 public:
  explicit MessageReader(ByteView bytes) : in_(bytes) {}

  Expected<Manifest> read(CheckEvents& events) {
    ByteView magic;
    std::uint8_t version = 0, outcome = 0;
    std::uint32_t n = 0;
    if (!in_.bytes(4, magic) || std::memcmp(magic.data(), kMagic, 4) != 0) return fail("not a signed-manifest message");
    if (!in_.u8(version) || version != kVersion) return fail("unknown version");
    if (!count(n, 4)) return fail("notes count out of range");
    for (std::uint32_t i = 0; i < n; ++i)
      if (!text(events.notes.emplace_back())) return fail("truncated note");
    if (!count(n, 8)) return fail("certificates count out of range");
    for (std::uint32_t i = 0; i < n; ++i) {
      auto& [where, fingerprint] = events.certificates.emplace_back();
      if (!text(where) || !text(fingerprint)) return fail("truncated certificate");
    }
    if (!in_.u8(outcome) || outcome > 1) return fail("outcome out of range");
    if (outcome == 0) {
      std::string rule;
      Error f;
      if (!text(rule) || !text(f.origin) || !text(f.reason) || !in_.le(f.offset)) return fail("malformed failure");
      // A signing failure is under one of two rules (sign/result.h), which decide the exit code.
      if (rule == kVerificationFailed.view())
        f.rule = kVerificationFailed;
      else if (rule == kUsageFailed.view())
        f.rule = kUsageFailed;
      else
        return fail("a failure under no signing rule");
      if (!in_.at_end()) return fail("bytes after the failure");
      return f;
    }
    Manifest m;
    std::uint8_t method = 0, hash = 0, links = 0;
    if (!text(m.model_name) || !in_.u8(method) || method > static_cast<std::uint8_t>(SerializationMethod::shards) ||
        !in_.u8(hash) || hash > static_cast<std::uint8_t>(HashAlgorithm::blake2b) || !in_.le(m.serialization.shard_size) ||
        !in_.u8(links) || links > 1)
      return fail("malformed serialization");
    m.serialization.method = static_cast<SerializationMethod>(method);
    m.serialization.hash = static_cast<HashAlgorithm>(hash);
    m.serialization.allow_symlinks = links == 1;
    if (!count(n, 4)) return fail("ignore paths count out of range");
    for (std::uint32_t i = 0; i < n; ++i)
      if (!text(m.serialization.ignore_paths.emplace_back())) return fail("truncated ignore path");
    if (!count(n, kMinItemBytes)) return fail("items count out of range");
    m.items.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i)
      if (!item(m.items.emplace_back())) return fail("malformed item");
    if (!in_.at_end()) return fail("bytes after the manifest");
    return m;
  }

 private:
  Expected<Manifest> fail(const char* why) {
    return verification_failure("bundle", "the signature parse worker's message at byte " + std::to_string(in_.offset()) +
                                              ": " + why);
  }
  bool text(std::string& out) { return in_.sized(out); }
  bool count(std::uint32_t& n, std::size_t min_bytes) { return in_.count(n, min_bytes); }
  bool item(ManifestItem& it) {
    std::uint8_t shard = 0, algorithm = 0;
    std::string digest;
    if (!text(it.path) || !in_.u8(shard) || shard > 1 || !in_.le(it.start) || !in_.le(it.end) || !in_.u8(algorithm) ||
        algorithm > static_cast<std::uint8_t>(HashAlgorithm::blake2b) || !text(digest))
      return false;
    it.shard = shard == 1;
    it.algorithm = static_cast<HashAlgorithm>(algorithm);
    if (digest.size() != digest_size(it.algorithm) || (it.shard && it.start > it.end)) return false;
    it.digest.assign(digest.begin(), digest.end());
    return true;
  }

  ByteReader in_;
};

}  // namespace

std::vector<std::uint8_t> encode_signed_manifest(const Expected<Manifest>& manifest, const CheckEvents& events) {
  ByteWriter w;
  for (char c : kMagic) w.u8(static_cast<std::uint8_t>(c));
  w.u8(kVersion);
  w.u32(static_cast<std::uint32_t>(events.notes.size()));
  for (const auto& note : events.notes) w.str(note);
  w.u32(static_cast<std::uint32_t>(events.certificates.size()));
  for (const auto& [where, fingerprint] : events.certificates) {
    w.str(where);
    w.str(fingerprint);
  }
  if (!manifest) {
    w.u8(0);
    w.str(manifest.error().rule.view());
    w.str(manifest.error().origin);
    w.str(manifest.error().reason);
    w.u64(manifest.error().offset);
    return std::move(w.bytes());
  }
  const Manifest& m = *manifest;
  w.u8(1);
  w.str(m.model_name);
  w.u8(static_cast<std::uint8_t>(m.serialization.method));
  w.u8(static_cast<std::uint8_t>(m.serialization.hash));
  w.u64(m.serialization.shard_size);
  w.u8(m.serialization.allow_symlinks ? 1 : 0);
  w.u32(static_cast<std::uint32_t>(m.serialization.ignore_paths.size()));
  for (const auto& p : m.serialization.ignore_paths) w.str(p);
  w.u32(static_cast<std::uint32_t>(m.items.size()));
  for (const auto& it : m.items) {
    w.str(it.path);
    w.u8(it.shard ? 1 : 0);
    w.u64(it.start);
    w.u64(it.end);
    w.u8(static_cast<std::uint8_t>(it.algorithm));
    w.str(as_chars(ByteView(it.digest.data(), it.digest.size())));
  }
  return std::move(w.bytes());
}

Expected<Manifest> decode_signed_manifest(ByteView bytes, CheckEvents& events) { return MessageReader(bytes).read(events); }

}  // namespace modelgate::sign
