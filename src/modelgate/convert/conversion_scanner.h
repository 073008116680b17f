#pragma once
// The scan that decides whether a file is converted: the `torch` profile alone, in a confined parse
// worker unless ConvertOptions::sandbox is off (docs/sandbox.md), with the scan's failure
// semantics (a worker that fails makes the file `refused`, and only `safe` files are converted).
// For a checkpoint the scan passed, the same worker plans its conversion from the scan's own reading
// (one container read, one run of each pickle) and returns the plan (convert/conversion_plan.h); for
// a sharded checkpoint's index, what the index says (convert/checkpoint_index.h): this process
// parses none of the file's bytes.
#include <memory>
#include <optional>
#include <string>

#include "convert/checkpoint_index.h"
#include "convert/conversion_plan.h"
#include "convert/input_file.h"
#include "modelgate/convert.h"
#include "modelgate/policy.h"
#include "pickle/allowlist.h"
#include "scan/scan_context.h"
#include "scan/worker_pool.h"

namespace modelgate::convert {

struct ScannedInput {
  ArtifactReport report;
  // Set for a checkpoint the scan passed: its plan, or why it cannot be converted.
  std::optional<Expected<ConversionPlan>> plan;
  // Set for a file named kCheckpointIndexName that the scan passed: the index, or why it cannot be read.
  std::optional<Expected<CheckpointIndex>> index;
};

// Scans `file` with `ctx`, keeping the scan's checkpoint reading, and for a checkpoint the scan
// passed plans its conversion under `key` from that reading; for a checkpoint index it passed, reads
// the index. What the confined worker runs for each file, and this process with `--sandbox off`.
ScannedInput scan_for_conversion(ScanContext& ctx, Artifact file, const std::string& key);

class ConversionScanner {
 public:
  explicit ConversionScanner(const ConvertOptions& options);
  ConversionScanner(const ConversionScanner&) = delete;
  ConversionScanner& operator=(const ConversionScanner&) = delete;

  // Why files cannot be scanned: the torch allowlist does not load, a worker does not start, or
  // (strict) a confinement layer is missing. A tool error.
  const std::optional<std::string>& error() const { return error_; }
  // The mode and the workers' layers, for the conversion report.
  SandboxLayers sandbox() const;

  // The file's report, and its conversion plan; `name` is the name loaders see and the report's origin.
  ScannedInput scan(const InputFile& file, const std::string& name);

 private:
  ScannedInput scan_input(const InputFile& file, const std::string& name);

  Limits limits_;
  std::string key_;
  Policy policy_;
  std::optional<pickle::Allowlist> allowlist_;
  std::optional<ScanContext> ctx_;
  std::optional<WorkerPool> workers_;
  std::optional<std::string> error_;
};

}  // namespace modelgate::convert
