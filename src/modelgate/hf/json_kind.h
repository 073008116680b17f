#pragma once
// What a JSON file in a model repository is, decided by its keys (never by its file name).
#include <string_view>

#include <nlohmann/json.hpp>

namespace modelgate {

enum class JsonKind {
  tokenizer,           // tokenizer.json (Hugging Face tokenizers)
  tokenizer_config,    // tokenizer_config.json
  special_tokens_map,  // special_tokens_map.json
  chat_template,       // chat_template.json
  processor_config,    // processor_config.json / preprocessor_config.json
  model_config,        // config.json
  generation_config,   // generation_config.json
  weight_index,        // *.index.json weight maps of sharded checkpoints
  other,
};

JsonKind classify_json(const nlohmann::json& doc);
// The report format name, e.g. "hf-tokenizer-config".
std::string_view json_kind_format(JsonKind kind);

}  // namespace modelgate
