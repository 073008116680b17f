#pragma once
// CycloneDX `modelCard` from the typed facts the parsers read (ModelFacts). Only parsed facts: a
// field without a fact is left out, and without any fact there is no modelCard at all.
#include <nlohmann/json.hpp>

#include "modelgate/report.h"

namespace modelgate::bom {

// Null when `facts` hold nothing a model card shows.
nlohmann::json model_card(const ModelFacts& facts);

// The facts of a model directory as a whole: the card's front matter (README.md) and config.json
// at its root, and the tensors of its one set of weights: the shards a safetensors index names, or
// the only weight file. Several unrelated weight files give no directory-wide count (each file's
// own card has its count).
ModelFacts directory_model_facts(const ArtifactReport& directory);

}  // namespace modelgate::bom
