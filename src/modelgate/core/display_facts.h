#pragma once
// The JSON object behind ArtifactReport::facts, for the library's own code and its tests.
#include <nlohmann/json.hpp>

#include "modelgate/display_facts.h"

namespace modelgate {

struct DisplayFactsAccess {
  static nlohmann::json& json(DisplayFacts& facts);
  static const nlohmann::json& json(const DisplayFacts& facts);
};

// The facts as a JSON object, made on first use (a new or moved-from DisplayFacts holds none).
inline nlohmann::json& json_of(DisplayFacts& facts) { return DisplayFactsAccess::json(facts); }
inline const nlohmann::json& json_of(const DisplayFacts& facts) { return DisplayFactsAccess::json(facts); }

}  // namespace modelgate
