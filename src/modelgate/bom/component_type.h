#pragma once
// The CycloneDX component type of an artifact, from the format the scan identified (never from a
// file name): weights and checkpoints are models, tokenizers, configurations and chat templates
// are configuration data, archives are containers, everything else is a file.
#include <string_view>

namespace modelgate::bom {

enum class ComponentType { machine_learning_model, configuration, container, file };

ComponentType component_type_of_format(std::string_view format);
std::string_view cyclonedx_type(ComponentType t);

}  // namespace modelgate::bom
