#pragma once
// ScanResult::sandbox as the JSON and SARIF reports and every confined report's facts show it:
// {"mode": "off"} in process, all five keys with workers.
#include <nlohmann/json.hpp>

#include "modelgate/scan.h"  // to_string(SandboxMode)

namespace modelgate {

nlohmann::json sandbox_layers_json(const SandboxLayers& layers);

}  // namespace modelgate
