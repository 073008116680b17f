#include "convert/checkpoint_conversion.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "convert/safetensors_writer.h"
#include "convert/tensor_copy.h"

namespace modelgate::convert {

std::vector<std::string> blocking_findings(const ArtifactReport& report) {
  std::vector<std::string> out;
  for (const auto* f : report.all_findings())
    if (f->status != Status::safe) out.push_back(f->rule + " " + f->origin + ": " + f->message);
  return out;
}

std::unique_ptr<PreparedCheckpoint> prepare_checkpoint(std::shared_ptr<InputFile> input, ScannedInput scanned,
                                                       const ConvertOptions& options, FileConversion& result) {
  const ArtifactReport& scan = scanned.report;
  result.format = scan.format;
  result.scan_status = scan.status;
  result.input_sha256 = scan.sha256;
  result.input_size = scan.size;
  result.findings = blocking_findings(scan);
  auto refuse = [&](std::string why) -> std::unique_ptr<PreparedCheckpoint> {
    result.outcome = FileOutcome::refused;
    result.reason = std::move(why);
    return nullptr;
  };
  if (scan.status != Status::safe)
    return refuse("the scan under the torch profile says " + std::string(to_string(scan.status)) +
                  "; only safe files are converted");
  if (!is_checkpoint_format(scan.format)) {
    if (scan.format.rfind("pytorch", 0) == 0 || scan.format.rfind("torch", 0) == 0)
      return refuse("this torch checkpoint layout (" + scan.format + ") is not supported for conversion");
    return refuse("not a torch.save checkpoint (identified as " + scan.format + ")");
  }
  if (!scanned.plan) return refuse("no conversion plan was read with the scan");
  if (!*scanned.plan) return refuse(scanned.plan->error().reason);
  auto checked = check_plan(**scanned.plan, input->bytes().size(), options.limits);
  if (!checked) return refuse("the conversion plan does not hold: " + checked.error().reason);
  auto p = std::make_unique<PreparedCheckpoint>();
  p->input = std::move(input);
  p->plan = std::move(**scanned.plan);
  result.metadata = p->plan.metadata;
  result.aliases = p->plan.aliases;
  result.dropped = p->plan.dropped;
  return p;
}

std::optional<Error> interruption(const ConvertOptions& options) {
  if (options.interrupted == nullptr || *options.interrupted == 0) return std::nullopt;
  return parse_error(0, "interrupted by signal " + std::to_string(*options.interrupted) + " (" +
                            strsignal(*options.interrupted) + "); what was written is removed");
}

Expected<bool> write_checkpoint(const PreparedCheckpoint& p, int dirfd, const std::string& name,
                                const std::string& display, const ConvertOptions& options, FileConversion& result) {
  const ConversionPlan& plan = p.plan;
  std::vector<HeaderEntry> entries;
  for (const auto& t : plan.tensors) entries.push_back({t.name, t.dtype, t.shape, t.byte_size});
  auto layout = layout_header(entries, plan.metadata);
  if (!layout) return layout.error();
  auto file = AtomicFile::create(dirfd, name, display, options.force, options.durable);
  if (!file) return file.error();
  if (!write_all(file->fd(), layout->bytes.data(), layout->bytes.size()))
    return parse_error(0, "writing " + display + ": " + std::strerror(errno));
  TensorCopier copier(p.input->fd(), 1u << 20, options.durable);
  for (std::size_t i : layout->order) {
    if (auto stop = interruption(options)) return *stop;
    const TensorRecord& t = plan.tensors[i];
    const PlannedStorage& planned = plan.storages.at(t.storage_key);  // check_plan: present, inside the input
    StorageBytes s;
    if (planned.owner) {
      s.bytes = planned.inflated;
      s.owner = planned.owner;
    } else {
      s.bytes = p.input->bytes().subspan(planned.file_offset, planned.size);
      s.file_offset = planned.file_offset;
    }
    auto ok = copier.copy(file->fd(), t, s);
    if (!ok) return ok.error();
  }
  // Self-check before the rename: the strict reader must accept what was written.
  std::uint64_t total = layout->bytes.size() + layout->data_size;
  if (::lseek(file->fd(), 0, SEEK_CUR) != static_cast<off_t>(total))
    return parse_error(0, "the output has an unexpected size");
  auto written = MappedFile::map(file->fd(), total);
  if (!written) return parse_error(0, "cannot read the output for checking: " + written.error().message());
  auto parsed = safetensors::parse((*written)->bytes(), options.limits);
  if (!parsed.ok() || parsed->tensors.size() != entries.size())
    return parse_error(0, "the written file does not pass the safetensors check: " +
                              (parsed.ok() ? std::string("tensor count differs") : parsed.error().reason));
  // What was scanned and parsed must be what was copied.
  if (std::string change = p.input->change_since_open(); !change.empty()) return parse_error(0, change);
  auto committed = file->commit();
  if (!committed) return committed.error();
  result.outcome = FileOutcome::converted;
  result.output = display;
  result.tensors = entries.size();
  result.bytes = layout->data_size;
  return true;
}

}  // namespace modelgate::convert
