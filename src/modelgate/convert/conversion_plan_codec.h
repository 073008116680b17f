#pragma once
// The encoding in which a confined parse worker returns a checkpoint's conversion plan (or why it
// cannot be converted) with its scan report (sandbox::WorkerResult::attachment). The converting
// process decodes it as untrusted input, then checks it (check_plan) before copying any byte.
//
//   attachment := "MGCP" u8 version(=1) u8 kind, then
//     kind 1 (refused): u64 offset, str reason
//     kind 2 (plan):    u8 0 (byte order: little), u32 n, tensor*n, u32 n, (str key, str value)*n metadata,
//                       u32 n, (str alias, str written)*n, u32 n, str*n dropped, u32 n, storage*n
//   tensor  := str name, u8 dtype, u8 element_size, u32 rank, u64 shape*rank, u64 strides*rank,
//              u64 offset, str storage_key, u64 storage_bytes, u64 byte_size, u8 contiguous,
//              u64 pickle_offset
//   storage := str key, u8 where, then where 0 (a range of the input): u64 offset, u64 size;
//              where 1 (inflated bytes): str bytes
//   str     := u32 length, bytes                                   (little-endian throughout)
#include <cstdint>
#include <vector>

#include "convert/conversion_plan.h"

namespace modelgate::convert {

// A plan whose inflated storages hold more than `max_inflated` bytes is encoded as a refusal.
std::vector<std::uint8_t> encode_plan_attachment(const Expected<ConversionPlan>& plan, std::uint64_t max_inflated);

// The plan, or the worker's refusal (its offset and reason), or an error naming the byte of the
// attachment that is malformed ("the parse worker's conversion plan at byte N: ...").
Expected<ConversionPlan> decode_plan_attachment(ByteView bytes, const Limits& limits);

}  // namespace modelgate::convert
