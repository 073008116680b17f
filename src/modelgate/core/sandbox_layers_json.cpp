#include "core/sandbox_layers_json.h"

namespace modelgate {

nlohmann::json sandbox_layers_json(const SandboxLayers& layers) {
  nlohmann::json j = {{"mode", to_string(layers.mode)}};
  if (layers.mode == SandboxMode::off) return j;
  j["layers"] = layers.layers;
  j["missing"] = layers.missing;
  j["landlock_abi"] = layers.landlock_abi;
  j["memory_limit"] = layers.memory_limit;
  return j;
}

}  // namespace modelgate
