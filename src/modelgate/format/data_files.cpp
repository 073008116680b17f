// Scanners for data files of model repositories: SentencePiece models, Flax msgpack checkpoints,
// TFLite flatbuffers (their operator codes), and the recognised formats that are refused because
// they are not read.
#include <algorithm>

#include "format/flax_msgpack.h"
#include "format/sentencepiece.h"
#include "format/tflite.h"
#include "scan/format_table.h"

namespace modelgate {

void scan_sentencepiece(const Artifact& a, ScanContext&, ArtifactReport& report) {
  auto model = sentencepiece::parse(a.bytes);
  if (!model) {
    report.add(make_finding(rule("MG-SPM-MALFORMED"), a.origin, model.error().offset,
                            "SentencePiece model at byte " + std::to_string(model.error().offset) + ": " +
                                model.error().reason));
    return;
  }
  report.facts["pieces"] = model->pieces;
  static constexpr const char* kTypes[] = {"unset", "unigram", "bpe", "word", "char"};
  report.facts["model_type"] = model->model_type < 5 ? kTypes[model->model_type] : "unknown";
  if (model->vocab_size) report.facts["vocab_size"] = model->vocab_size;
  if (!model->normalizer.empty()) report.facts["normalizer"] = model->normalizer;
}

void scan_flax_msgpack(const Artifact& a, ScanContext& ctx, ArtifactReport& report) {
  auto checkpoint = flax::parse(a.bytes, ctx.limits());
  if (!checkpoint) {
    report.add(make_finding(rule("MG-FLAX-MALFORMED"), a.origin, checkpoint.error().offset,
                            "msgpack at byte " + std::to_string(checkpoint.error().offset) + ": " +
                                checkpoint.error().reason));
    return;
  }
  report.facts["arrays"] = checkpoint->arrays;
  report.facts["parameters"] = checkpoint->parameters;
}

void scan_tflite(const Artifact& a, ScanContext&, ArtifactReport& report) {
  auto model = tflite::parse(a.bytes);
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
  nlohmann::json custom = nlohmann::json::array();
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
  report.facts["schema_version"] = model->schema_version;
  report.facts["builtin_operator_codes"] = builtin;
  report.facts["custom_operators"] = std::move(custom);
  report.facts["subgraphs"] = model->subgraphs;
  report.facts["buffers"] = model->buffers;
}

void scan_unsupported_model(const Artifact& a, ScanContext&, ArtifactReport& report) {
  report.add(make_finding(rule("MG-FORMAT-UNSUPPORTED"), a.origin, std::nullopt,
                          "OpenVINO IR: layers and extension operators are not analysed"));
}

bool looks_like_tflite(ByteView bytes) {
  static constexpr std::uint8_t kIdentifier[4] = {'T', 'F', 'L', '3'};
  return bytes.size() >= 8 && std::equal(kIdentifier, kIdentifier + 4, bytes.begin() + 4);
}

bool looks_like_openvino_ir(std::string_view text) {
  std::string_view head = text.substr(0, 4096);
  return head.find("<net ") != std::string_view::npos && head.find("<?xml") != std::string_view::npos &&
         text.find("<layers>") != std::string_view::npos;
}

}  // namespace modelgate
