#include "core/format_details_json.h"
#include "container/checkpoint_reading.h"
#include "hf/json_kind.h"
#include "core/rule_catalog.h"
#include "hf/loader_routes.h"
#include "core/strict_json.h"
#include "format/keras_config.h"
#include "format/scanners.h"
#include "format/json_escaped_names.h"
#include "format/serialized_json_values.h"
#include "template/chat_template.h"

namespace modelgate {

namespace {

// The typed facts of a transformers config.json. The context length is the first of the keys
// transformers' model families use for the maximum number of positions.
void read_model_config(const nlohmann::json& d, ModelFacts& model) {
  if (auto t = d.find("model_type"); t != d.end() && t->is_string()) model.model_type = t->get<std::string>();
  if (auto a = d.find("architectures"); a != d.end() && a->is_array())
    for (const auto& name : *a)
      if (name.is_string()) model.architectures.push_back(name.get<std::string>());
  for (const char* key : {"max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx"})
    if (auto n = d.find(key); n != d.end() && n->is_number_integer() && *n >= 0) {
      model.context_length = n->get<std::uint64_t>();
      break;
    }
  if (auto q = d.find("quantization_config"); q != d.end() && q->is_object())
    if (auto m = q->find("quant_method"); m != q->end() && m->is_string()) model.quantization = m->get<std::string>();
}

// Facts worth keeping for the bill of materials, by kind.
void keep_facts(JsonKind kind, const nlohmann::json& d, ArtifactReport& report) {
  // A scalar, or an array of at most 64 items.
  auto copy = [&](const char* key) -> std::optional<FileValue> {
    if (d.contains(key) && !d[key].is_object() && !(d[key].is_array() && d[key].size() > 64)) return file_value_of(d[key]);
    return std::nullopt;
  };
  auto config = [&report]() -> ConfigDetails& { return details_of(report.details.config); };
  switch (kind) {
    case JsonKind::model_config:
      read_model_config(d, report.model);
      config().model_type = copy("model_type");
      config().architectures = copy("architectures");
      config().torch_dtype = copy("torch_dtype");
      config().transformers_version = copy("transformers_version");
      break;
    case JsonKind::tokenizer_config:
      config().tokenizer_class = copy("tokenizer_class");
      config().model_max_length = copy("model_max_length");
      break;
    case JsonKind::processor_config:
      config().processor_class = copy("processor_class");
      config().image_processor_type = copy("image_processor_type");
      config().feature_extractor_type = copy("feature_extractor_type");
      break;
    case JsonKind::tokenizer:
      if (d.contains("model") && d["model"].is_object() && d["model"].contains("type"))
        config().tokenizer_model = file_value_of(d["model"]["type"]);
      break;
    case JsonKind::weight_index:
      config().weight_map_entries = d["weight_map"].size();
      break;
    default:
      break;
  }
}

// `"pyref"` as a value (after a ':'), as fiddle writes "type": "pyref"; a vocabulary's "pyref" token
// is a key.
bool mentions_pyref_value(std::string_view text) {
  for (std::size_t at = text.find("\"pyref\""); at != std::string_view::npos; at = text.find("\"pyref\"", at + 1)) {
    std::size_t p = at;
    while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t' || text[p - 1] == '\n' || text[p - 1] == '\r')) --p;
    if (p > 0 && text[p - 1] == ':') return true;
  }
  return false;
}

}  // namespace

void scan_json_file(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  std::string_view text = as_chars(a.bytes);
  const Limits& limits = ctx.limits();
  if (text.size() > limits.max_json_bytes) {
    report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, std::nullopt,
                            "JSON file of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                                std::to_string(limits.max_json_bytes)));
    return;
  }
  JsonReadOptions options;
  options.max_depth = limits.max_json_depth;
  options.full_dom_bytes = 1u << 20;  // larger configs (tokenizer.json) keep only what analysis needs
  options.max_template_like_strings = 4096;
  options.small_container_values = 4096;
  // Keys whose values are analysed are kept whole even in large files; "metadata": a sharded
  // checkpoint index's, which `convert` carries into the index it writes; a tokenizer.json's
  // normalizer, pre-tokenizer, decoder and post-processor hold its Regex patterns.
  options.deep_keys = {"chat_template", "auto_map", "custom_pipelines", "architectures", "weight_map", "metadata",
                       "auto_mapping", "_class_name", "model_args", "tokenizer_args", "config_args",
                       "normalizer", "pre_tokenizer", "decoder", "post_processor"};
  auto doc = read_strict_json(text, options);
  if (!doc) {
    report.add(make_finding(rule("MG-JSON-MALFORMED"), a.origin, doc.error().offset,
                            "not strict JSON at byte " + std::to_string(doc.error().offset) + ": " +
                                doc.error().reason));
    return;
  }
  const nlohmann::json& d = doc->value;
  JsonKind kind = classify_json(d);
  report.format = std::string(json_kind_format(kind));
  keep_facts(kind, d, report);
  analyse_configuration(d, base_name(a.name), a.origin, limits, report);
  // KerasHub presets deserialize config.json, tokenizer.json, task.json... as Keras objects.
  if (looks_like_keras_object(d)) analyse_keras_config(text, a.origin, limits, report);
  // Stable-Baselines3 unpickles every ":serialized:" value (its zip's `data` member).
  scan_serialized_json_values(a, d, doc->shallow, ctx, report);
  // A large file is read shallow: nested keys the walk above did not see are found in the text,
  // which a name spelled with escapes would hide.
  if (doc->shallow) analyse_config_text(text, a.origin, report);
  if (auto at = doc->shallow ? escaped_name_character(text) : std::nullopt)
    report.add(make_finding(rule("MG-JSON-ESCAPED-NAME"), a.origin, *at,
                            "a JSON file too large to be read whole spells a letter, digit or name character as " +
                                std::string(text.substr(*at, 6)) + " at byte " + std::to_string(*at) +
                                ": the search of its text for keys and values loaders act on cannot see such names"));
  // ... except fiddle pyrefs (hf/loader_routes.cpp), which only the reading above sees.
  if (doc->shallow && mentions_pyref_value(text))
    report.add(make_finding(rule("MG-FIDDLE-PYREF"), a.origin, std::nullopt,
                            "a JSON file too large to be read whole has \"pyref\" values: fiddle pyrefs in the parts "
                            "not read would be imported and built by fiddle's deserialization"));
  // ... and so are string values with Jinja in them (the DOM part was checked above).
  for (const auto& s : doc->template_like_strings) check_jinja_in_value(s.text, a.origin, s.path, limits, report);
  if (doc->template_like_strings_truncated)
    report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, std::nullopt,
                            "more than " + std::to_string(options.max_template_like_strings) +
                                " string values that look like Jinja: the rest were not checked"));
  // `convert` reads a sharded checkpoint's weight files and metadata from this reading.
  if (kind == JsonKind::weight_index && a.checkpoint_reading)
    a.checkpoint_reading->keep(a.bytes, WeightIndexReading{std::move(doc->value)});
}

}  // namespace modelgate
