#pragma once
// `modelgate convert`: pickle checkpoints to safetensors without running them. A file is converted
// only when its scan under the `torch` profile is `safe`; there is no override.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelgate/limits.h"
#include "modelgate/status.h"

namespace modelgate {

struct ConvertOptions {
  Limits limits;
  std::string key;     // dotted path of the sub-dict to convert ("" = the whole checkpoint)
  bool force = false;  // replace existing outputs
  // fsync each output before its rename and the directory after it, so that a power loss cannot
  // leave a partial file under the final name. The rename is atomic for readers either way.
  bool durable = false;
};

enum class FileOutcome { converted, copied, skipped, refused };
std::string_view to_string(FileOutcome o);

struct FileConversion {
  std::string input;    // path as given / relative to the input directory
  std::string output;   // empty unless converted or copied
  FileOutcome outcome = FileOutcome::skipped;
  std::string reason;   // why skipped or refused
  std::string format;   // what the scan identified
  Status scan_status = Status::safe;
  std::vector<std::string> findings;  // the scan's non-safe findings: "RULE origin: message"
  std::uint64_t tensors = 0;          // tensors written
  std::uint64_t bytes = 0;            // tensor bytes written
  std::vector<std::pair<std::string, std::string>> aliases;  // name -> the name written
  std::vector<std::string> dropped;   // values not converted: "path: what"
  std::map<std::string, std::string> metadata;  // written to __metadata__
};

struct ConversionReport {
  std::string input, output;
  bool directory = false;
  std::vector<FileConversion> files;
  std::vector<std::string> errors;  // tool errors (I/O, existing output): exit 2
  // 0 converted, 1 refused (nothing converted, or a weight file refused), 2 tool error.
  int exit_code() const;
};

// IN a file: OUT is the .safetensors file. IN a directory: OUT is the output directory.
ConversionReport convert_path(const std::filesystem::path& in, const std::filesystem::path& out,
                              const ConvertOptions& options);

std::string render_conversion_text(const ConversionReport& report);
nlohmann::json conversion_json(const ConversionReport& report);  // "schema": "modelgate.convert/1"

}  // namespace modelgate
