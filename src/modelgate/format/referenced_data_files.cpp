// Raw tensor files have no format of their own: they are data because a model in the same
// directory says so. ONNX external-data files are named by the model's `location` entries; an
// OpenVINO IR's constants are the `.bin` beside its `.xml`;
// a SavedModel's variables are `variables/variables.index` (a TensorFlow table, recognised by its
// footer magic) and the `variables/variables.data-*-of-*` shards beside it. Such files, when
// otherwise unrecognised, are reclassified as the data of that model instead of `unverified`.
#include <algorithm>
#include <cstring>
#include <filesystem>

#include "format/directory_checks.h"

namespace modelgate {

namespace {

std::string parent_of(const std::string& relative) {
  auto slash = relative.rfind('/');
  return slash == std::string::npos ? std::string() : relative.substr(0, slash + 1);
}

bool only_unrecognised(const ArtifactReport& r) {
  return r.format == "unknown" &&
         std::all_of(r.findings.begin(), r.findings.end(),
                     [](const Finding& f) { return f.rule == "MG-FORMAT-UNRECOGNISED"; });
}

void mark_as_data(ArtifactReport& r, const std::string& format, const std::string& model_origin) {
  r.format = format;
  r.findings.clear();
  r.details.data_of = model_origin;
  r.finalize();
}

// The last 8 bytes of a TensorFlow table (LevelDB-style SSTable) footer.
bool has_tf_table_magic(const WalkEntry& file) {
  static const unsigned char magic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
  auto mapped = map_walk_entry(file);
  if (!mapped || (*mapped)->bytes().size() < 48) return false;
  auto bytes = (*mapped)->bytes();
  return std::memcmp(bytes.data() + bytes.size() - 8, magic, 8) == 0;
}

}  // namespace

void classify_referenced_data_files(const std::vector<WalkEntry>& files, std::vector<ArtifactReport>& reports) {
  auto find = [&](const std::string& relative) -> std::size_t {
    for (std::size_t i = 0; i < files.size(); ++i)
      if (files[i].relative == relative) return i;
    return files.size();
  };
  for (std::size_t i = 0; i < files.size(); ++i) {
    const ArtifactReport& model = reports[i];
    std::string dir = parent_of(files[i].relative);
    if (model.format == "onnx") {
      for (const auto& location : model.parsed.external_data_files) {
        std::string rel = std::filesystem::path(dir + location).lexically_normal().generic_string();
        std::size_t k = find(rel);
        if (k < files.size() && only_unrecognised(reports[k]))
          mark_as_data(reports[k], "onnx-external-data", model.origin);
      }
    }
    // ov::Core::read_model(xml) reads the weights from the same path with its extension replaced by ".bin".
    if (std::size_t dot = files[i].relative.rfind('.');
        model.format == "openvino-ir" && dot != std::string::npos && dot > dir.size()) {
      std::string rel = files[i].relative.substr(0, dot) + ".bin";
      std::size_t k = find(rel);
      if (k < files.size() && only_unrecognised(reports[k])) mark_as_data(reports[k], "openvino-weights", model.origin);
    }
    if (model.format == "tf-savedmodel") {
      std::size_t index = find(dir + "variables/variables.index");
      if (index == files.size() || !has_tf_table_magic(files[index]) || !only_unrecognised(reports[index]))
        continue;
      mark_as_data(reports[index], "tf-checkpoint-index", model.origin);
      std::string prefix = dir + "variables/variables.data-";
      for (std::size_t k = 0; k < files.size(); ++k)
        if (files[k].relative.rfind(prefix, 0) == 0 && files[k].relative.find("-of-") != std::string::npos &&
            only_unrecognised(reports[k]))
          mark_as_data(reports[k], "tf-checkpoint-data", model.origin);
    }
  }
}

}  // namespace modelgate
