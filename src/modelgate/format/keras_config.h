#pragma once
// Analysis of a Keras model configuration: `config.json` of a `.keras` archive, the
// `model_config` attribute of a Keras 2 `.h5` file, and the per-layer metadata JSON of a
// SavedModel. The same rules apply whatever Keras version the file claims.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

// Adds findings to `report`. Returns false when the text is not acceptable JSON (a
// MG-KERAS-MALFORMED finding has been added). `offset` is where the text starts in its artifact,
// when known. Bounded by Limits::max_keras_* and max_marshal_*.
bool analyse_keras_config(std::string_view json_text, const std::string& origin, const Limits& limits,
                          ArtifactReport& report, std::optional<std::uint64_t> offset = std::nullopt);

}  // namespace modelgate
