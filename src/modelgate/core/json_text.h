#pragma once
// Serialises JSON for output. Unlike nlohmann::json::dump(), which throws on a string that is not
// UTF-8, any byte string is written (escaped as core/escaped_text.h describes), so a hostile file
// name can never abort a report. For UTF-8 strings the text is identical to dump(indent).
#include <string>

#include <nlohmann/json.hpp>

namespace modelgate {

std::string json_text(const nlohmann::json& value, int indent = -1);
// The same text appended to `out`, as the value of a member or item `depth` levels deep.
void append_json_text(std::string& out, const nlohmann::json& value, int indent, int depth);

}  // namespace modelgate
