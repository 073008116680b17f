#pragma once
// Chat templates stored in JSON configs: `chat_template` as a string, or as a list of
// {"name": ..., "template": ...} (tokenizer_config.json, chat_template.json, processor configs),
// and Jinja hidden in any other string value of a configuration.
#include <nlohmann/json.hpp>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

// Each template becomes a child report (origin "<file>!/chat_template" or
// "<file>!/chat_template/<name>") and an entry of parsed.chat_templates = {name: text}.
void extract_chat_templates(const nlohmann::json& doc, const std::string& origin, const Limits& limits,
                            ArtifactReport& report);

// Every string value at any depth, under any key, that is Jinja with a sandbox-escape primitive is
// MG-TEMPLATE-IN-VALUE naming its path (a renderer could be pointed at any key). Strings that
// extract_chat_templates already analysed as templates (recorded in parsed.chat_templates) are
// skipped. Call after extract_chat_templates.
void check_config_values_for_jinja(const nlohmann::json& doc, const std::string& origin, const Limits& limits,
                                   ArtifactReport& report);

}  // namespace modelgate
