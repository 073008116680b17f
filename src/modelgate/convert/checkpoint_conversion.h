#pragma once
// One checkpoint file to one safetensors file, in two steps so that a directory can check every
// file before writing any: prepare() takes the scan (torch profile; only `safe` passes) and the
// conversion plan read with it, and checks the plan; write() streams the tensors into the output.
#include <filesystem>
#include <memory>
#include <optional>

#include "convert/conversion_plan.h"
#include "convert/conversion_scanner.h"
#include "convert/input_file.h"
#include "modelgate/convert.h"
#include "modelgate/report.h"

namespace modelgate::convert {

// "RULE origin: message" for every finding that is not `safe`.
std::vector<std::string> blocking_findings(const ArtifactReport& report);
struct PreparedCheckpoint {
  std::shared_ptr<InputFile> input;
  ConversionPlan plan;  // checked against `input`
};

// Fills result.format/scan_status/findings, and on refusal result.outcome and reason; returns
// nullptr when the file is not converted.
std::unique_ptr<PreparedCheckpoint> prepare_checkpoint(std::shared_ptr<InputFile> input, ScannedInput scanned,
                                                       const ConvertOptions& options, FileConversion& result);

// Writes the output `name` in the directory `dirfd` atomically (`display` names it in messages);
// result.outcome becomes converted. An Error is a tool error (I/O, existing output, an
// interruption); the temp file is removed.
Expected<bool> write_checkpoint(const PreparedCheckpoint& prepared, int dirfd, const std::string& name,
                                const std::string& display, const ConvertOptions& options, FileConversion& result);

// The error that stops a conversion once options.interrupted is set, or nothing.
std::optional<Error> interruption(const ConvertOptions& options);

}  // namespace modelgate::convert
