#include "scan/name_readings.h"

#include <array>

#include "core/strict_json.h"
#include "hf/ldm_config.h"
#include "hf/loader_routes.h"
#include "hf/python_scan.h"

namespace modelgate {

namespace {

// Files that transformers, sentence-transformers, diffusers and PEFT open by these names and parse
// with json.load (docs/repositories.md lists which library reads which).
bool loader_config_name(std::string_view name) {
  static constexpr std::array<std::string_view, 23> kNames = {
      "config.json", "tokenizer_config.json", "processor_config.json", "preprocessor_config.json",
      "feature_extractor_config.json", "image_processor_config.json", "video_preprocessor_config.json",
      "video_processor_config.json", "generation_config.json", "model_index.json", "modules.json",
      "config_sentence_transformers.json", "sentence_bert_config.json", "adapter_config.json",
      "chat_template.json", "special_tokens_map.json", "scheduler_config.json",
      // sentence-transformers models/Transformer.py load_config tries these after sentence_bert_config.json
      "sentence_roberta_config.json", "sentence_distilbert_config.json", "sentence_camembert_config.json",
      "sentence_albert_config.json", "sentence_xlm-roberta_config.json", "sentence_xlnet_config.json"};
  for (auto n : kNames)
    if (name == n) return true;
  return false;
}

void note_reading(ArtifactReport& report, const char* reading) { report.facts["name_readings"].push_back(reading); }

}  // namespace

void add_name_readings(const Artifact& a, Format content, ScanContext& ctx, ArtifactReport& report) {
  std::string_view name = base_name(a.name);
  std::string_view text = as_chars(a.bytes);
  if (name.ends_with(".py") && content != Format::python && content != Format::empty) {
    note_reading(report, "python");
    analyse_python_source(text, a.origin, ctx.limits(), report);
  }
  if (loader_config_name(name) && content != Format::json && content != Format::empty &&
      text.size() <= ctx.limits().max_json_bytes) {
    JsonReadOptions options;
    options.max_depth = ctx.limits().max_json_depth;
    if (auto doc = read_strict_json(text, options)) {
      note_reading(report, "json-config");
      analyse_configuration(doc->value, name, a.origin, ctx.limits(), report);
    }
  }
  // Core ML models are protobuf specs with custom layers and compiled weights: not read.
  if (name.ends_with(".mlmodel") && content != Format::empty)
    report.add(make_finding(rule("MG-FORMAT-UNSUPPORTED"), a.origin, std::nullopt,
                            "Core ML model: layers and custom code references are not analysed"));
  if (name.ends_with(".yaml") || name.ends_with(".yml")) {
    note_reading(report, "yaml-config");
    analyse_config_text(text, a.origin, report);
    analyse_ldm_targets(text, a.origin, ctx.limits(), report);
  }
}

}  // namespace modelgate
