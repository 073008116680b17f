#pragma once
// The encoding in which a confined worker returns what it read of a signature bundle: the signed
// manifest or the failure, and the check's events. The verifying process decodes it as untrusted
// input (a worker that parsed a hostile bundle may be under the attacker's control).
//
//   message := "MGVM" u8 version(=1), u32 n, str*n notes, u32 n, (str where, str fingerprint)*n,
//              u8 outcome, then outcome 0 (failed): str rule, str origin, str reason, u64 offset;
//              outcome 1 (manifest): str model_name, u8 method, u8 hash, u64 shard_size,
//              u8 allow_symlinks, u32 n, str*n ignore_paths, u32 n, item*n
//   item    := str path, u8 shard, u64 start, u64 end, u8 algorithm, str digest
//   str     := u32 length, bytes                                   (little-endian throughout)
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "sign/model_signing.h"

namespace modelgate::sign {

std::vector<std::uint8_t> encode_signed_manifest(const Expected<Manifest>& manifest, const CheckEvents& events);

// The manifest or the worker's failure; a malformed message is a verification failure naming the
// byte where it breaks. `events` receives what the worker noted.
Expected<Manifest> decode_signed_manifest(ByteView bytes, CheckEvents& events);

}  // namespace modelgate::sign
