#pragma once
// Analysis of a Keras model configuration: `config.json` of a `.keras` archive, the
// `model_config` attribute of a Keras 2 `.h5` file, and the per-layer metadata JSON of a
// SavedModel. The same rules apply whatever Keras version the file claims.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

// Adds findings to `report`. Returns false when the text is not acceptable JSON (a
// MG-KERAS-MALFORMED finding has been added). `offset` is where the text starts in its artifact,
// when known. Bounded by Limits::max_keras_* and max_marshal_*.
bool analyse_keras_config(std::string_view json_text, const std::string& origin, const Limits& limits,
                          ArtifactReport& report, std::optional<std::uint64_t> offset = std::nullopt);

// A serialized Keras object at the top of a JSON file: `class_name` with `module` or
// `registered_name`. KerasHub presets store their backbone (config.json), tokenizer
// (tokenizer.json), preprocessor, task and converters this way, and `from_preset` passes each to
// keras.saving.deserialize_keras_object (keras_hub/src/utils/preset_utils.py, KerasPresetLoader).
bool looks_like_keras_object(const nlohmann::json& doc);

}  // namespace modelgate
