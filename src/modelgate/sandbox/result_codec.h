#pragma once
// The encoding in which a parse worker returns its report to the broker. The broker decodes it as
// untrusted input: a worker that parsed hostile bytes may be under the attacker's control.
//
//   result  := "MGWR" u16 version(=6) u32 body_length body        (little-endian throughout)
//   body    := report, str attachment
//   report  := str origin, str format, u64 size, u32 findings, finding*, facts (result_facts.h),
//              str sha256, str sha512, u32 children, report*
//   finding := str rule, u8 severity, u8 status, str origin, u8 has_offset, u64 offset,
//              str message, str evidence
//   str     := u32 length, bytes
//
// Decoding is strict: the header, every length, count and enum is checked against what is left and
// against ResultBounds; rule ids must be in the catalog; facts are checked field by field; nothing may
// follow the attachment; sha256 and sha512 are empty or
// 64 and 128 lowercase hex digits. Report statuses are not transmitted: the broker recomputes them (finalize()).
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/report.h"

namespace modelgate::sandbox {

inline constexpr std::uint16_t kResultVersion = 6;
inline constexpr std::size_t kResultHeaderSize = 10;

struct ResultBounds {
  std::uint64_t max_bytes = 256ull << 20;  // the whole result
  std::uint32_t max_depth = 64;            // nested reports
  std::uint64_t max_reports = 1u << 20;
  std::uint64_t max_findings = 1u << 22;
};

// What a worker returns for one file: its report and, when the worker runs a scan of its owner's
// (scan/worker_scan_job.h), the bytes that scan attached, which only its owner can decode.
struct WorkerResult {
  ArtifactReport report;
  std::vector<std::uint8_t> attachment;
};

std::vector<std::uint8_t> encode_result(const ArtifactReport& report, ByteView attachment = {});

// The body length a header declares, or an error when the header is not a result header. The
// broker reads exactly this many bytes more (after checking it against ResultBounds::max_bytes).
Expected<std::uint32_t> result_body_length(ByteView header, const ResultBounds& bounds);

// Decodes a whole result (header and body); the report comes back finalized. The attachment is
// returned as it came: its reader decodes it as untrusted input.
Expected<WorkerResult> decode_result(ByteView bytes, const ResultBounds& bounds);

}  // namespace modelgate::sandbox
