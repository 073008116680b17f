#include "bom/component_type.h"

namespace modelgate::bom {

namespace {

struct FormatType {
  std::string_view format;
  ComponentType type;
};

// Format names as the scanners set them (scan/format_table.cpp, hf/json_kind.cpp, the container
// scanners). Archive formats named by libarchive ("tar", "tar+gzip", "7zip", ...) are containers
// by the report's own structure: bom/cyclonedx.cpp types any artifact with members a container.
constexpr FormatType kTypes[] = {
    {"pickle", ComponentType::machine_learning_model},
    {"pytorch-legacy", ComponentType::machine_learning_model},
    {"joblib", ComponentType::machine_learning_model},
    {"onnx", ComponentType::machine_learning_model},
    {"tf-savedmodel", ComponentType::machine_learning_model},
    {"hdf5", ComponentType::machine_learning_model},
    {"safetensors", ComponentType::machine_learning_model},
    {"gguf", ComponentType::machine_learning_model},
    {"flax-msgpack", ComponentType::machine_learning_model},
    {"tflite", ComponentType::machine_learning_model},
    {"coreml", ComponentType::machine_learning_model},
    {"coreml-weights", ComponentType::file},
    {"openvino-ir", ComponentType::machine_learning_model},
    {"hf-model-config", ComponentType::configuration},
    {"hf-tokenizer", ComponentType::configuration},
    {"hf-tokenizer-config", ComponentType::configuration},
    {"hf-special-tokens-map", ComponentType::configuration},
    {"hf-chat-template-json", ComponentType::configuration},
    {"hf-processor-config", ComponentType::configuration},
    {"hf-generation-config", ComponentType::configuration},
    {"weight-index", ComponentType::configuration},
    {"chat-template", ComponentType::configuration},
    {"sentencepiece", ComponentType::configuration},
    {"zip", ComponentType::container},
    {"npz", ComponentType::container},
    {"pytorch-zip", ComponentType::container},
    {"pytorch-legacy-tar", ComponentType::container},
    {"keras", ComponentType::container},
    {"archive", ComponentType::container},
    {"joblib-compressed", ComponentType::container},
    {"joblib-zf", ComponentType::container},
    {"zlib", ComponentType::container},
    {"hf-cache", ComponentType::container},
};

}  // namespace

ComponentType component_type_of_format(std::string_view format) {
  for (const auto& t : kTypes)
    if (t.format == format) return t.type;
  return ComponentType::file;
}

std::string_view cyclonedx_type(ComponentType t) {
  switch (t) {
    case ComponentType::machine_learning_model: return "machine-learning-model";
    case ComponentType::configuration: return "data";
    case ComponentType::container: return "container";
    case ComponentType::file: return "file";
  }
  return "file";
}

}  // namespace modelgate::bom
