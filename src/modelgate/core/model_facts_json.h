#pragma once
// ModelFacts as JSON, for the two places a report crosses a trust boundary as bytes: a parse
// worker's result (sandbox/result_codec) and an inventory row (gate/stored_report). Reading is
// strict: unknown keys, wrong types and oversized values are errors, never defaults.
#include <string>

#include <nlohmann/json.hpp>

#include "core/expected.h"
#include "modelgate/report.h"

namespace modelgate {

// Only the fields that are set.
nlohmann::json model_facts_json(const ModelFacts& facts);

// The error names the offending key.
Expected<ModelFacts> model_facts_from_json(const nlohmann::json& json);

}  // namespace modelgate
