#pragma once
// ONNX external data: a tensor whose bytes are in another file, named relative to the model. The
// ONNX parser records each such read (ParsedFacts::external_data_reads) and never opens a file, so
// that a confined parse worker and the unconfined scan judge the same way. The process that opened
// the model then resolves the reads against the model's path, as onnxruntime would.
#include <filesystem>
#include <string>

#include "modelgate/report.h"

namespace modelgate {

// The message of a read that cannot be resolved because the model is not a file on disk (an
// archive member, bytes given without a path).
std::string external_data_unresolvable(const std::string& tensor, const std::string& location);

// Checks every recorded read in `report` and its children against `model_path`'s directory: the
// file must resolve (through links) to a regular file inside it, holding the bytes the tensor reads.
// An empty path: every read is unresolvable. Adds MG-ONNX-EXTERNAL-DATA-* findings and finalizes
// the report when it adds any; true when it did.
bool resolve_external_data_reads(ArtifactReport& report, const std::filesystem::path& model_path);

}  // namespace modelgate
