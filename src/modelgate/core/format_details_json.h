#pragma once
// FormatDetails in JSON: flat under an artifact's `facts`, as the JSON report shows them, and
// nested by format for an inventory row, which is read back strictly (a key modelgate does not
// write, or a value of the wrong type, is an error naming it).
#include <nlohmann/json.hpp>

#include "core/expected.h"
#include "modelgate/format_details.h"

namespace modelgate {

// Adds every shown detail to `facts` under its key.
void add_format_details(const FormatDetails& details, nlohmann::json& facts);

nlohmann::json format_details_json(const FormatDetails& details);
Expected<FormatDetails> format_details_from_json(const nlohmann::json& j);

nlohmann::json file_value_json(const FileValue& v);
// Any JSON value; a number that is not finite becomes null, as JSON text shows it.
FileValue file_value_of(const nlohmann::json& v);

}  // namespace modelgate
