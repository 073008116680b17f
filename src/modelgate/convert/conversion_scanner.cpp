#include "convert/conversion_scanner.h"

#include <algorithm>

#include "convert/conversion_plan_codec.h"
#include "format/onnx_external_data.h"

namespace modelgate::convert {

namespace {

bool wants_plan(const ArtifactReport& report) {
  return report.status == Status::safe && is_checkpoint_format(report.format);
}

// The report's origin is the name the file is scanned under (scan's `name`). A checkpoint under
// that name is planned as one, not read as an index.
bool wants_index(const ArtifactReport& report) {
  return report.status == Status::safe && report.origin == kCheckpointIndexName && !is_checkpoint_format(report.format);
}

}  // namespace

ScannedInput scan_for_conversion(ScanContext& ctx, Artifact file, const std::string& key) {
  auto read = std::make_shared<CheckpointReadingSlot>();
  file.checkpoint_reading = read;
  ScannedInput out;
  out.report = ctx.scan(file);
  if (wants_plan(out.report)) out.plan = plan_conversion(file.bytes, *read, key, ctx.limits());
  if (wants_index(out.report)) {
    const WeightIndexReading* index = read->weight_index();
    out.index = index && read->all_of(file.bytes) && !read->ambiguous()
                    ? checkpoint_index_of(index->document, ctx.limits())
                    : parse_error(0, "the checkpoint index has no weight_map object");
  }
  return out;
}

ConversionScanner::ConversionScanner(const ConvertOptions& options) : limits_(options.limits), key_(options.key) {
  policy_.profiles = {"torch"};
  auto allowlist = pickle::Allowlist::from_profiles(policy_.profiles, {});
  if (!allowlist) {
    error_ = "the torch allowlist cannot be loaded: " + allowlist.error().reason;
    return;
  }
  allowlist_.emplace(std::move(*allowlist));
  ctx_.emplace(limits_, policy_, *allowlist_, options.hash_inputs);
  if (options.sandbox == SandboxMode::off) return;
  auto config = sandbox::worker_config(limits_);
  // A plan carries the inflated bytes of compressed storage records (torch.save writes none): up
  // to what the process may hold in memory, within the result's 32-bit length.
  config.bounds.max_bytes = std::clamp<std::uint64_t>(limits_.max_unpacked_in_memory, config.bounds.max_bytes, UINT32_MAX);
  const std::uint64_t max_inflated = config.bounds.max_bytes - (64u << 20);
  auto scan = [key = key_, max_inflated](ScanContext& ctx, const Artifact& file) {
    ScannedInput scanned = scan_for_conversion(ctx, file, key);
    sandbox::WorkerResult result{std::move(scanned.report), {}};
    if (scanned.plan) result.attachment = encode_plan_attachment(*scanned.plan, max_inflated);
    if (scanned.index) result.attachment = encode_index_attachment(*scanned.index);
    return result;
  };
  workers_.emplace(*ctx_, options.sandbox, 1, config, std::move(scan));
  error_ = workers_->error();
}

SandboxLayers ConversionScanner::sandbox() const {
  if (!workers_ || workers_->error()) return {};
  return workers_->layers();
}

ScannedInput ConversionScanner::scan(const InputFile& file, const std::string& name) {
  ScannedInput out = scan_input(file, name);
  // Files a model names beside it (ONNX external data) are looked up here, as `scan` does, so that
  // a model whose data is missing or outside the directory is not copied as safe.
  resolve_external_data_reads(out.report, file.display());
  return out;
}

ScannedInput ConversionScanner::scan_input(const InputFile& file, const std::string& name) {
  ScannedInput out;
  if (workers_) {
    auto result = workers_->run_descriptor(0, file.fd(), name, name, file.bytes().size());
    out.report = std::move(result.report);
    if (wants_plan(out.report))
      out.plan = result.attachment.empty()
                     ? Expected<ConversionPlan>(parse_error(0, "the parse worker returned no conversion plan"))
                     : decode_plan_attachment(result.attachment, limits_);
    if (wants_index(out.report))
      out.index = result.attachment.empty()
                      ? Expected<CheckpointIndex>(parse_error(0, "the parse worker returned no checkpoint index"))
                      : decode_index_attachment(result.attachment, limits_);
    return out;
  }
  Artifact a;
  a.origin = name;
  a.name = name;
  a.bytes = file.bytes();
  return scan_for_conversion(*ctx_, std::move(a), key_);
}

}  // namespace modelgate::convert
