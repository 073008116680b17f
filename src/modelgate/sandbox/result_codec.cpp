#include "sandbox/result_codec.h"

#include <cstring>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "modelgate/rules.h"
#include "sandbox/result_facts.h"

namespace modelgate::sandbox {

namespace {

constexpr char kResultMagic[4] = {'M', 'G', 'W', 'R'};
constexpr std::size_t kMinFindingBytes = 4 + 1 + 1 + 4 + 1 + 8 + 4 + 4;
// The fewest bytes of facts (result_facts.h): an empty object; no parsed fact (seven flags, four
// counts); no model fact (nineteen strings and lists, three flags).
constexpr std::size_t kMinFactsBytes = 5 + (7 + 4 * 4) + (19 * 4 + 3);
// origin, format, size, findings, facts, sha256, sha512, children.
constexpr std::size_t kMinReportBytes = 4 + 4 + 8 + 4 + kMinFactsBytes + 4 + 4 + 4;
constexpr std::size_t kMaxFactsDepth = 128;

void write_report(ByteWriter& w, const ArtifactReport& r) {
  w.str(r.origin);
  w.str(r.format);
  w.u64(r.size);
  w.u32(static_cast<std::uint32_t>(r.findings.size()));
  for (const auto& f : r.findings) {
    w.str(f.rule);
    w.u8(static_cast<std::uint8_t>(f.severity));
    w.u8(static_cast<std::uint8_t>(f.status));
    w.str(f.origin);
    w.u8(f.offset.has_value());
    w.u64(f.offset.value_or(0));
    w.str(f.message);
    w.str(f.evidence);
  }
  write_facts(w, r);
  w.str(r.sha256);
  w.str(r.sha512);
  w.u32(static_cast<std::uint32_t>(r.children.size()));
  for (const auto& c : r.children) write_report(w, c);
}

class ResultReader {
 public:
  ResultReader(ByteView body, const ResultBounds& bounds) : in_(body), bounds_(bounds) {}

  bool report(ArtifactReport& r, std::uint32_t depth) {
    if (depth > bounds_.max_depth) return fail("reports nested deeper than " + std::to_string(bounds_.max_depth));
    if (++reports_ > bounds_.max_reports) return fail("more than " + std::to_string(bounds_.max_reports) + " reports");
    std::uint32_t findings = 0;
    if (!text(r.origin, "origin") || !text(r.format, "format") || !number(r.size, "size") ||
        !count(findings, kMinFindingBytes, "findings"))
      return false;
    findings_ += findings;
    if (findings_ > bounds_.max_findings) return fail("more than " + std::to_string(bounds_.max_findings) + " findings");
    r.findings.reserve(findings);  // bounded: count() checked it against the bytes left
    for (std::uint32_t i = 0; i < findings; ++i)
      if (!finding(r.findings.emplace_back())) return false;
    if (auto bad = read_facts(in_, r, kMaxFactsDepth)) return fail(bad->reason);
    if (!text(r.sha256, "sha256")) return false;
    if (!r.sha256.empty() && (r.sha256.size() != 64 || r.sha256.find_first_not_of("0123456789abcdef") != std::string::npos))
      return fail("sha256 is not 64 lowercase hex digits");
    if (!text(r.sha512, "sha512")) return false;
    if (!r.sha512.empty() && (r.sha512.size() != 128 || r.sha512.find_first_not_of("0123456789abcdef") != std::string::npos))
      return fail("sha512 is not 128 lowercase hex digits");
    std::uint32_t children = 0;
    if (!count(children, kMinReportBytes, "children")) return false;
    r.children.reserve(children);
    for (std::uint32_t i = 0; i < children; ++i)
      if (!report(r.children.emplace_back(), depth + 1)) return false;
    return true;
  }

  bool blob(ByteView& out) { return in_.sized(out); }
  bool at_end() const { return in_.at_end(); }
  std::size_t offset() const { return in_.offset(); }
  const std::string& error() const { return error_; }
  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

 private:
  bool finding(Finding& f) {
    std::string rule_id;
    std::uint8_t severity = 0, status = 0, has_offset = 0;
    std::uint64_t offset = 0;
    if (!text(rule_id, "rule id") || !in_.u8(severity) || !in_.u8(status) || !text(f.origin, "finding origin") ||
        !in_.u8(has_offset) || !in_.le(offset) || !text(f.message, "message") || !text(f.evidence, "evidence"))
      return error_.empty() ? fail("truncated finding") : false;
    const Rule* known = find_rule(rule_id);
    if (known == nullptr) return fail("unknown rule id");
    if (severity > static_cast<std::uint8_t>(Severity::critical)) return fail("severity out of range");
    if (status > static_cast<std::uint8_t>(Status::unsafe)) return fail("status out of range");
    if (has_offset > 1) return fail("offset flag out of range");
    f.rule = std::string(known->id);
    f.severity = static_cast<Severity>(severity);
    // A worker may report a finding as worse than its rule, never as better.
    f.status = worse(known->status, static_cast<Status>(status));
    if (has_offset) f.offset = offset;
    return true;
  }
  bool text(std::string& out, const char* what) {
    std::uint32_t n = 0;
    ByteView bytes;
    if (!in_.le(n) || !in_.bytes(n, bytes)) return fail(std::string("truncated ") + what);
    out.assign(as_chars(bytes));  // any bytes, as in an unconfined scan (file names need not be UTF-8)
    return true;
  }
  bool number(std::uint64_t& out, const char* what) {
    return in_.le(out) || fail(std::string("truncated ") + what);
  }
  // A count of items that take at least `min_bytes` each, so that it cannot exceed what is left.
  bool count(std::uint32_t& out, std::size_t min_bytes, const char* what) {
    if (!in_.le(out)) return fail(std::string("truncated ") + what + " count");
    if (out > in_.remaining() / min_bytes) return fail(std::string(what) + " count exceeds the result");
    return true;
  }

  ByteReader in_;
  const ResultBounds& bounds_;
  std::uint64_t reports_ = 0, findings_ = 0;
  std::string error_;
};

}  // namespace

std::vector<std::uint8_t> encode_result(const ArtifactReport& report, ByteView attachment) {
  ByteWriter w;
  for (char c : kResultMagic) w.u8(static_cast<std::uint8_t>(c));
  w.u16(kResultVersion);
  w.u32(0);
  write_report(w, report);
  w.str(as_chars(attachment));
  auto& out = w.bytes();
  auto body = static_cast<std::uint32_t>(out.size() - kResultHeaderSize);
  for (std::size_t i = 0; i < 4; ++i) out[6 + i] = static_cast<std::uint8_t>(body >> (8 * i));
  return std::move(out);
}

Expected<std::uint32_t> result_body_length(ByteView header, const ResultBounds& bounds) {
  ByteReader in(header);
  ByteView magic;
  std::uint16_t version = 0;
  std::uint32_t length = 0;
  if (!in.bytes(4, magic) || !in.le(version) || !in.le(length)) return parse_error(0, "truncated result header");
  if (std::memcmp(magic.data(), kResultMagic, 4) != 0) return parse_error(0, "not a worker result");
  if (version != kResultVersion) return parse_error(4, "result version " + std::to_string(version) + " is not " + std::to_string(kResultVersion));
  if (length > bounds.max_bytes - kResultHeaderSize) return parse_error(6, "result body larger than the bound");
  return length;
}

Expected<WorkerResult> decode_result(ByteView bytes, const ResultBounds& bounds) {
  if (bytes.size() > bounds.max_bytes) return parse_error(0, "result larger than the bound");
  auto length = result_body_length(bytes, bounds);
  if (!length) return length.error();
  if (bytes.size() - std::min(bytes.size(), kResultHeaderSize) != *length)
    return parse_error(6, "result body length does not match the header");
  ResultReader reader(bytes.subspan(kResultHeaderSize), bounds);
  WorkerResult result;
  if (!reader.report(result.report, 0)) return parse_error(kResultHeaderSize + reader.offset(), reader.error());
  ByteView attachment;
  if (!reader.blob(attachment)) return parse_error(kResultHeaderSize + reader.offset(), "truncated attachment");
  if (!reader.at_end()) return parse_error(kResultHeaderSize + reader.offset(), "bytes after the attachment");
  result.attachment.assign(attachment.begin(), attachment.end());
  result.report.finalize();
  return result;
}

}  // namespace modelgate::sandbox
