#include "bom/component_type.h"

namespace modelgate::bom {

namespace {

struct FormatType {
  std::string_view format;
  ComponentType type;
};

// The identified formats' types: the component column of identify/format_list.inc.
constexpr FormatType kFormatTypes[] = {
#define MG_FORMAT(id, name, probe, scanner, component) {name, ComponentType::component},
#define MG_PROBE(id, probe)
#include "identify/format_list.inc"
#undef MG_FORMAT
#undef MG_PROBE
};

// The names scanners give their reports themselves (hf/json_kind.cpp, the container scanners).
// Archive formats named by libarchive ("tar", "tar+gzip", "7zip", ...) are containers by the
// report's own structure: bom/cyclonedx.cpp types any artifact with members a container.
constexpr FormatType kScannerNamedTypes[] = {
    {"hf-model-config", ComponentType::configuration},
    {"hf-tokenizer", ComponentType::configuration},
    {"hf-tokenizer-config", ComponentType::configuration},
    {"hf-special-tokens-map", ComponentType::configuration},
    {"hf-chat-template-json", ComponentType::configuration},
    {"hf-processor-config", ComponentType::configuration},
    {"hf-generation-config", ComponentType::configuration},
    {"weight-index", ComponentType::configuration},
    {"npz", ComponentType::container},
    {"pytorch-zip", ComponentType::container},
    {"pytorch-legacy-tar", ComponentType::container},
    {"joblib-zf", ComponentType::container},
    {"zlib", ComponentType::container},
    {"hf-cache", ComponentType::container},
};

}  // namespace

ComponentType component_type_of_format(std::string_view format) {
  for (const auto& t : kFormatTypes)
    if (t.format == format) return t.type;
  for (const auto& t : kScannerNamedTypes)
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
