#include "hf/json_kind.h"

#include <array>

namespace modelgate {

namespace {

bool has(const nlohmann::json& d, const char* key) { return d.contains(key); }

bool only_special_tokens(const nlohmann::json& d) {
  static constexpr std::array<std::string_view, 8> kKeys = {
      "bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token",
      "additional_special_tokens"};
  if (d.empty()) return false;
  for (const auto& [k, v] : d.items()) {
    bool known = false;
    for (auto s : kKeys) known = known || k == s;
    if (!known) return false;
  }
  return true;
}

bool any_of_keys(const nlohmann::json& d, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (d.contains(k)) return true;
  return false;
}

}  // namespace

JsonKind classify_json(const nlohmann::json& d) {
  if (!d.is_object()) return JsonKind::other;
  if (has(d, "weight_map") && d["weight_map"].is_object()) return JsonKind::weight_index;
  if (has(d, "model") && d["model"].is_object() &&
      any_of_keys(d, {"added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder"}))
    return JsonKind::tokenizer;
  if (only_special_tokens(d)) return JsonKind::special_tokens_map;
  if (d.size() == 1 && has(d, "chat_template")) return JsonKind::chat_template;
  if (any_of_keys(d, {"processor_class", "image_processor_type", "feature_extractor_type",
                      "video_processor_type"}))
    return JsonKind::processor_config;
  if (any_of_keys(d, {"tokenizer_class", "added_tokens_decoder", "model_max_length", "chat_template"}))
    return JsonKind::tokenizer_config;
  if (any_of_keys(d, {"model_type", "architectures"})) return JsonKind::model_config;
  if (any_of_keys(d, {"_from_model_config", "do_sample", "max_new_tokens", "max_length", "temperature",
                      "top_p", "top_k", "num_beams", "repetition_penalty"}))
    return JsonKind::generation_config;
  if (any_of_keys(d, {"image_mean", "image_std", "do_resize", "do_normalize", "sampling_rate"}))
    return JsonKind::processor_config;
  if (has(d, "auto_map")) return JsonKind::model_config;
  return JsonKind::other;
}

std::string_view json_kind_format(JsonKind kind) {
  switch (kind) {
    case JsonKind::tokenizer: return "hf-tokenizer";
    case JsonKind::tokenizer_config: return "hf-tokenizer-config";
    case JsonKind::special_tokens_map: return "hf-special-tokens-map";
    case JsonKind::chat_template: return "hf-chat-template-json";
    case JsonKind::processor_config: return "hf-processor-config";
    case JsonKind::model_config: return "hf-model-config";
    case JsonKind::generation_config: return "hf-generation-config";
    case JsonKind::weight_index: return "weight-index";
    case JsonKind::other: return "json";
  }
  return "json";
}

}  // namespace modelgate
