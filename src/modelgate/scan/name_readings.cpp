#include "scan/name_readings.h"

#include <array>

#include "core/rule_catalog.h"
#include "core/strict_json.h"
#include "format/keras_config.h"
#include "hf/ldm_config.h"
#include "hf/loader_routes.h"
#include "hf/python_scan.h"
#include "hf/yaml_config.h"
#include "scan/format_table.h"
#include "template/chat_template.h"

namespace modelgate {

namespace {

// Files that transformers, sentence-transformers, diffusers, PEFT and KerasHub open by these names and parse
// with json.load (docs/repositories.md lists which library reads which).
bool loader_config_name(std::string_view name) {
  static constexpr std::array<std::string_view, 30> kNames = {
      "config.json", "tokenizer_config.json", "processor_config.json", "preprocessor_config.json",
      "feature_extractor_config.json", "image_processor_config.json", "video_preprocessor_config.json",
      "video_processor_config.json", "generation_config.json", "model_index.json", "modules.json",
      "config_sentence_transformers.json", "sentence_bert_config.json", "adapter_config.json",
      "chat_template.json", "special_tokens_map.json", "scheduler_config.json",
      // sentence-transformers models/Transformer.py load_config tries these after sentence_bert_config.json
      "sentence_roberta_config.json", "sentence_distilbert_config.json", "sentence_camembert_config.json",
      "sentence_albert_config.json", "sentence_xlm-roberta_config.json", "sentence_xlnet_config.json",
      "router_config.json",
      // sentence-transformers models/WordEmbeddings.py load (imports its tokenizer_class)
      "wordembedding_config.json",
      // KerasHub preset_utils: serialized Keras objects beside config.json
      "tokenizer.json", "preprocessor.json", "task.json", "image_converter.json", "audio_converter.json"};
  for (auto n : kNames)
    if (name == n) return true;
  return false;
}

// OmegaConf.load, yaml.safe_load and the tools that take a config path (diffusers from_single_file's
// original_config, NeMo, latent-diffusion scripts) read a file of any name. A YAML extension in any
// case (a case-insensitive file system opens v1-inference.YAML when v1-inference.yaml is asked for)
// or followed by another extension (model_config.yaml.txt, config.yml.bak) marks a configuration.
bool yaml_config_name(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  const std::string_view l(lower);
  return l.ends_with(".yaml") || l.ends_with(".yml") || l.find(".yaml.") != std::string_view::npos ||
         l.find(".yml.") != std::string_view::npos;
}

// A directory component (not the file name) of `path` that names templates: transformers'
// additional_chat_templates/, and the templates/ directories other loaders read.
bool in_template_directory(std::string_view path) {
  std::size_t slash = path.find_last_of("/\\");
  if (slash == std::string_view::npos) return false;
  std::string dirs(path.substr(0, slash));
  for (char& c : dirs)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return dirs.find("template") != std::string::npos;
}

void note_reading(ArtifactReport& report, const char* reading) {
  details_of(report.details.name_readings).push_back(reading);
}

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
      if (looks_like_keras_object(doc->value)) analyse_keras_config(text, a.origin, ctx.limits(), report);
    }
  }
  // transformers reads chat_template.jinja and additional_chat_templates/*.jinja as templates
  // (tokenization_utils_base / processing_utils), whatever their content looks like. `a.name` is the
  // path relative to the scanned directory (or in the container), so the directory is seen; any
  // .jinja under a directory named for templates is taken as one.
  // A file scanned on its own has no directory in its name; its origin is the path as given.
  bool template_name = name == "chat_template.jinja" ||
                       (name.ends_with(".jinja") && (in_template_directory(a.name) || in_template_directory(a.origin)));
  if (template_name && content != Format::jinja && content != Format::empty) {
    note_reading(report, "chat-template");
    analyse_chat_template(text, a.origin, ctx.limits(), report, 0);
  }
  // Core ML compiles and loads a .mlmodel by its name, whatever its content looks like.
  if (name.ends_with(".mlmodel") && content != Format::coreml && content != Format::empty) {
    note_reading(report, "coreml");
    scan_coreml(a, ctx, report);
  }
  // TensorFlow's loader (loader_impl.parse_saved_model) parses saved_model.pb by its name as a
  // SavedModel, whatever else the bytes are: an ONNX model and a SavedModel are both protobuf, and
  // one file can be both. The SavedModel reading is analysed as its own child report beside the
  // content's, so the verdict is the worst over both.
  if (name == "saved_model.pb" && content != Format::tf_savedmodel && content != Format::keras_metadata_pb &&
      content != Format::empty) {
    note_reading(report, "tf-savedmodel");
    ArtifactReport other;
    other.origin = a.origin + "#reading=tf-savedmodel";
    other.size = a.bytes.size();
    other.format = std::string(format_name(Format::tf_savedmodel));
    scanner_for(Format::tf_savedmodel)(a, ctx, other);
    other.finalize();
    const bool safe = other.status == Status::safe;
    report.add(make_finding(safe ? rule("MG-FORMAT-POLYGLOT-SAFE-READINGS") : rule("MG-FORMAT-POLYGLOT"), a.origin, 0,
                            "the bytes identified as " + report.format +
                                " are also read as: tf-savedmodel (TensorFlow's SavedModel loader, by the name "
                                "saved_model.pb)" +
                                (safe ? "; every other reading was analysed and is safe"
                                      : "; the verdict is the worst over every reading")));
    report.children.push_back(std::move(other));
  }
  // Text-format protobuf models that loaders pick by name and modelgate does not parse: TensorFlow's
  // loader reads saved_model.pbtxt when there is no saved_model.pb; onnx.load reads .onnxtxt files
  // as the ONNX text format. What their graphs run is unknown, so they are not safe.
  if ((name == "saved_model.pbtxt" || name.ends_with(".onnxtxt") || name.ends_with(".onnxtext")) &&
      content != Format::empty) {
    note_reading(report, "protobuf-text-model");
    report.add(make_finding(rule("MG-FORMAT-UNRECOGNISED"), a.origin, std::nullopt,
                            std::string(name) + " is a model in protobuf text format, which its loader reads by this "
                            "name and modelgate does not parse: its graph was not analysed"));
  }
  if (yaml_config_name(name)) {
    note_reading(report, "yaml-config");
    analyse_config_text(text, a.origin, report);
    analyse_ldm_targets(text, a.origin, ctx.limits(), report);
    analyse_yaml_config(text, name, a.origin, ctx.limits(), report);
  }
}

}  // namespace modelgate
