// Scanners for data files of model repositories: SentencePiece models, Flax msgpack checkpoints,
// TFLite flatbuffers (their operator codes), Core ML models and weights, OpenVINO IR.
#include "readers/coreml.h"
#include "core/rule_catalog.h"
#include "readers/flax_msgpack.h"
#include "readers/openvino_ir.h"
#include "readers/sentencepiece.h"
#include "readers/tflite.h"
#include "format/scanners.h"

namespace modelgate {

void scan_sentencepiece(const Artifact& a, NestedScan&, ArtifactReport& report) {
  auto model = sentencepiece::parse(a.bytes);
  if (!model) {
    report.add(make_finding(rule("MG-SPM-MALFORMED"), a.origin, model.error().offset,
                            "SentencePiece model at byte " + std::to_string(model.error().offset) + ": " +
                                model.error().reason));
    return;
  }
  static constexpr const char* kTypes[] = {"unset", "unigram", "bpe", "word", "char"};
  SentencePieceDetails& details = report.details.sentencepiece.emplace();
  details.pieces = model->pieces;
  details.model_type = model->model_type < 5 ? kTypes[model->model_type] : "unknown";
  if (model->vocab_size) details.vocab_size = model->vocab_size;
  if (!model->normalizer.empty()) details.normalizer = model->normalizer;
}

void scan_flax_msgpack(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto checkpoint = flax::parse(a.bytes, ctx.limits());
  if (!checkpoint) {
    report.add(make_finding(rule("MG-FLAX-MALFORMED"), a.origin, checkpoint.error().offset,
                            "msgpack at byte " + std::to_string(checkpoint.error().offset) + ": " +
                                checkpoint.error().reason));
    return;
  }
  report.details.arrays = ArrayStoreDetails{checkpoint->arrays, checkpoint->parameters};
}

void scan_tflite(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto model = tflite::parse(a.bytes, ctx.limits().max_tflite_operator_codes);
  if (!model) {
    report.add(make_finding(rule("MG-TFLITE-MALFORMED"), a.origin, model.error().offset,
                            "TFLite flatbuffer at byte " + std::to_string(model.error().offset) + ": " +
                                model.error().reason));
    return;
  }
  if (model->schema_version != 3)
    report.add(make_finding(rule("MG-TFLITE-MALFORMED"), a.origin, std::nullopt,
                            "schema version " + std::to_string(model->schema_version) +
                                ": the TFLite interpreter only reads version 3"));
  std::vector<std::string> custom;
  std::uint64_t builtin = 0;
  for (const auto& code : model->operator_codes) {
    if (code.builtin != tflite::kCustom) {
      ++builtin;
      continue;
    }
    custom.push_back(code.custom_code);
    report.add(make_finding(rule("MG-TFLITE-CUSTOM-OP"), a.origin, std::nullopt,
                            "custom operator '" + code.custom_code +
                                "': its kernel comes from the application or a delegate, not from TFLite",
                            code.custom_code));
  }
  report.details.tflite = TfliteDetails{model->schema_version, builtin, std::move(custom), model->subgraphs, model->buffers};
}

void scan_coreml(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto model = coreml::parse(a.bytes, ctx.limits());
  if (!model) {
    report.add(make_finding(rule("MG-COREML-MALFORMED"), a.origin, model.error().offset,
                            "Core ML model at byte " + std::to_string(model.error().offset) + ": " +
                                model.error().reason));
    return;
  }
  for (const auto& ref : model->code) {
    using Kind = coreml::CodeReference::Kind;
    switch (ref.kind) {
      case Kind::custom_layer:
      case Kind::custom_model:
        report.add(make_finding(rule("MG-COREML-CUSTOM-CODE"), a.origin, ref.offset,
                                std::string(ref.kind == Kind::custom_layer ? "custom layer" : "custom model") +
                                    " class '" + ref.name + "': the application provides its code",
                                ref.name));
        break;
      case Kind::linked_model:
        report.add(make_finding(rule("MG-COREML-LINKED-MODEL"), a.origin, ref.offset,
                                "links the compiled model '" + ref.name + "', loaded from a search path", ref.name));
        break;
      case Kind::serialized_model:
        report.add(make_finding(rule("MG-COREML-SERIALIZED-MODEL"), a.origin, ref.offset,
                                "serialized model of private type '" + ref.name + "' is not read", ref.name));
        break;
    }
  }
  report.details.coreml = CoremlDetails{model->specification_version, model->model_type, model->models, model->layers};
}

void scan_coreml_weights(const Artifact& a, NestedScan&, ArtifactReport& report) {
  auto storage = coreml::parse_blob_storage(a.bytes);
  if (!storage) {
    report.add(make_finding(rule("MG-COREML-MALFORMED"), a.origin, storage.error().offset,
                            "MIL blob storage at byte " + std::to_string(storage.error().offset) + ": " +
                                storage.error().reason));
    return;
  }
  report.details.coreml_weights = CoremlWeightsDetails{storage->blobs};
}

void scan_openvino_ir(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  // Nesting of an IR: net > layers > layer > body > layers > layer ... for loops within loops.
  auto model = openvino::parse(as_chars(a.bytes), ctx.limits().max_xml_depth);
  if (!model) {
    report.add(make_finding(rule("MG-OPENVINO-MALFORMED"), a.origin, model.error().offset,
                            "OpenVINO IR at byte " + std::to_string(model.error().offset) + ": " + model.error().reason));
    return;
  }
  std::vector<std::string> extension_ops;
  for (const auto& layer : model->extension_layers) {
    std::string op = layer.type + " (version '" + layer.version + "')";
    extension_ops.push_back(op);
    report.add(make_finding(rule("MG-OPENVINO-EXTENSION-OP"), a.origin, layer.offset,
                            "layer of type " + op +
                                " is not an operation of an OpenVINO opset: an extension library provides its code",
                            op));
  }
  report.details.openvino = OpenvinoDetails{model->ir_version, model->layers, std::move(extension_ops)};
}

}  // namespace modelgate
