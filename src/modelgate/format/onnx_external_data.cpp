#include "format/onnx_external_data.h"

#include <map>

#include "core/path_within.h"
#include "core/rule_catalog.h"

namespace modelgate {

namespace {

namespace fs = std::filesystem;

struct ResolvedFile {
  bool escapes = false;
  std::string target;
  std::string error;
  std::uint64_t size = 0;
};

ResolvedFile resolve_location(const fs::path& model_path, const std::string& location) {
  ResolvedFile r;
  std::error_code ec;
  fs::path dir = fs::canonical(fs::absolute(model_path, ec).parent_path(), ec);
  if (ec) {
    r.error = "the model directory cannot be resolved (" + ec.message() + ")";
    return r;
  }
  fs::path target = fs::weakly_canonical(dir / location, ec);
  if (ec) {
    r.error = "cannot be resolved (" + ec.message() + ")";
    return r;
  }
  r.target = target.string();
  if (!path_is_within(target, dir)) {
    r.escapes = true;
    return r;
  }
  auto st = fs::status(target, ec);
  if (ec || !fs::exists(st)) {
    r.error = "the file does not exist";
  } else if (!fs::is_regular_file(st)) {
    r.error = "not a regular file";
  } else {
    r.size = fs::file_size(target, ec);
    if (ec) r.error = "cannot be read (" + ec.message() + ")";
  }
  return r;
}

bool resolve_reads_of(ArtifactReport& report, const fs::path& model_path, std::map<std::string, ResolvedFile>& files) {
  bool added = false;
  for (ArtifactReport& child : report.children) added |= resolve_reads_of(child, model_path, files);
  for (const ExternalDataRead& read : report.parsed.external_data_reads) {
    auto add = [&](RuleId id, std::string message, std::string evidence) {
      report.add(make_finding(rule(id), report.origin, std::nullopt, std::move(message), std::move(evidence)));
      added = true;
    };
    if (model_path.empty()) {
      add("MG-ONNX-EXTERNAL-DATA-MISSING", external_data_unresolvable(read.tensor, read.location), read.location);
      continue;
    }
    auto it = files.find(read.location);
    if (it == files.end()) it = files.emplace(read.location, resolve_location(model_path, read.location)).first;
    const ResolvedFile& f = it->second;
    const std::uint64_t length = read.length.value_or(0);
    if (f.escapes) {
      add("MG-ONNX-EXTERNAL-DATA-ESCAPE",
          read.tensor + " reads '" + read.location + "', which resolves to '" + f.target + "' outside the model directory",
          read.location + " -> " + f.target);
    } else if (!f.error.empty()) {
      add("MG-ONNX-EXTERNAL-DATA-MISSING", read.tensor + " refers to '" + read.location + "': " + f.error, read.location);
    } else if (read.offset > f.size || (read.length && length > f.size - read.offset)) {
      add("MG-ONNX-EXTERNAL-DATA-MISSING",
          read.tensor + " reads bytes [" + std::to_string(read.offset) + ", +" + std::to_string(length) + ") of '" +
              read.location + "', which has only " + std::to_string(f.size) + " bytes",
          read.location);
    }
  }
  return added;
}

}  // namespace

std::string external_data_unresolvable(const std::string& tensor, const std::string& location) {
  return tensor + " refers to '" + location + "', which cannot be resolved for a model that is not a file on disk";
}

bool resolve_external_data_reads(ArtifactReport& report, const fs::path& model_path) {
  std::map<std::string, ResolvedFile> files;
  if (!resolve_reads_of(report, model_path, files)) return false;
  report.finalize();
  return true;
}

}  // namespace modelgate
