#pragma once
// Chat templates stored in JSON configs: `chat_template` as a string, or as a list of
// {"name": ..., "template": ...} (tokenizer_config.json, chat_template.json, processor configs).
#include <nlohmann/json.hpp>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

// Each template becomes a child report (origin "<file>!/chat_template" or
// "<file>!/chat_template/<name>") and an entry of facts["chat_templates"] = {name: text}.
void extract_chat_templates(const nlohmann::json& doc, const std::string& origin, const Limits& limits,
                            ArtifactReport& report);

}  // namespace modelgate
