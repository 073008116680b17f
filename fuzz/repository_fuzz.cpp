// A whole model repository: the parts of the input (fuzz_parts.h) become the usual files of a
// Hugging Face model directory, which is scanned as `modelgate scan DIR` scans it: the walk, every
// file by content, then the checks across files (sharded indexes, data files named by a model).
#include <cstddef>
#include <cstdint>

#include "fuzz_parts.h"
#include "modelgate/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  static const std::vector<std::string> names = {
      "config.json",          "model.safetensors.index.json", "model-00001-of-00002.safetensors",
      "tokenizer_config.json", "model-00002-of-00002.safetensors", "model.onnx",
      "weights.bin",          "README.md",                    "modeling_custom.py",
      "chat_template.jinja",  "variables/variables.index",     "saved_model.pb",
  };
  static fuzz::ScratchDir dir;
  static const ScanOptions options = [] {
    ScanOptions o;
    o.threads = 1;
    return o;
  }();
  dir.fill(names, fuzz::split_parts(data, size, names.size()));
  auto result = scan_paths({dir.path()}, options);
  if (result.artifacts.size() != 1 && result.errors.empty()) __builtin_trap();
  return 0;
}
