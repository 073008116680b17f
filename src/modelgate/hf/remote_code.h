#pragma once
// config.json (and tokenizer/processor configs) can make transformers import Python code from the
// repository (`trust_remote_code=True`) through `auto_map` and `custom_pipelines`.
#include <string>

#include <nlohmann/json.hpp>

#include "modelgate/report.h"

namespace modelgate {

// Adds MG-HF-REMOTE-CODE findings and parsed.remote_code.
void analyse_remote_code(const nlohmann::json& config, const std::string& origin, ArtifactReport& report);

}  // namespace modelgate
