#pragma once
// ParsedFacts in JSON, under the `facts` keys the JSON report has always used for them. Used where a
// report becomes JSON (the JSON report, an inventory row) or bytes (a parse worker's result), and
// where it is read back. Reading is strict: a typed key with the wrong shape is an error.
#include <string>

#include <nlohmann/json.hpp>

#include "core/expected.h"
#include "modelgate/report.h"

namespace modelgate {

// An artifact's `facts` in the JSON report: its format details and its parsed facts.
nlohmann::json facts_json(const ArtifactReport& report);
// The parsed facts added to `out` under their keys.
void add_parsed_facts(const ParsedFacts& parsed, nlohmann::json& out);

// Moves the parsed facts' keys out of `facts` into the result; the error names the key.
Expected<ParsedFacts> take_parsed_facts(nlohmann::json& facts);

}  // namespace modelgate
