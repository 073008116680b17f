#pragma once
// Analysis of a Keras model configuration: `config.json` of a `.keras` archive, the
// `model_config` attribute of a Keras 2 `.h5` file, and the per-layer metadata JSON of a
// SavedModel. The same rules apply whatever Keras version the file claims.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "modelgate/report.h"

namespace modelgate {

struct KerasConfigLimits {
  std::size_t max_bytes = 64u << 20;  // of one JSON text
  unsigned max_depth = 200;           // JSON nesting
  std::size_t max_marshal_bytes = 4u << 20;  // of one decoded lambda payload
};

// Adds findings to `report`. Returns false when the text is not acceptable JSON (a
// MG-KERAS-MALFORMED finding has been added). `offset` is where the text starts in its artifact,
// when known.
bool analyse_keras_config(std::string_view json_text, const std::string& origin, ArtifactReport& report,
                          std::optional<std::uint64_t> offset = std::nullopt,
                          const KerasConfigLimits& limits = {});

}  // namespace modelgate
