#include "scan/format_table.h"

namespace modelgate {

namespace {

void scan_nothing(const Artifact&, NestedScan&, ArtifactReport&) {}

struct FormatEntry {
  std::string_view name;  // ArtifactReport::format
  ScannerFn scanner;
};

// A switch rather than an array, so that a Format without its line does not compile (-Wswitch).
FormatEntry format_entry(Format f) {
  switch (f) {
    case Format::empty: return {"empty", scan_nothing};
    case Format::pickle: return {"pickle", scan_pickle_file};
    case Format::text: return {"text", scan_text_file};
    case Format::unknown: return {"unknown", scan_unknown_file};
    case Format::zip: return {"zip", scan_zip};
    case Format::archive: return {"archive", scan_archive};
    case Format::npy: return {"npy", scan_npy};
    case Format::torch_legacy: return {"pytorch-legacy", scan_torch_legacy};
    case Format::joblib_compressed: return {"joblib-compressed", scan_joblib_compressed};
    case Format::joblib: return {"joblib", scan_joblib};
    case Format::onnx: return {"onnx", scan_onnx_model};
    case Format::tf_savedmodel: return {"tf-savedmodel", scan_tensorflow_protobuf};
    case Format::keras_metadata_pb: return {"keras-metadata-pb", scan_tensorflow_protobuf};
    case Format::keras_archive: return {"keras", scan_keras_archive};
    case Format::hdf5: return {"hdf5", scan_hdf5};
    case Format::tf_fingerprint: return {"tf-fingerprint", scan_tf_fingerprint};
    case Format::safetensors: return {"safetensors", scan_safetensors_file};
    case Format::gguf: return {"gguf", scan_gguf_file};
    case Format::json: return {"json", scan_json_file};
    case Format::python: return {"python", scan_python_file};
    case Format::model_card: return {"model-card", scan_model_card};
    case Format::jinja: return {"chat-template", scan_jinja_file};
    case Format::sentencepiece: return {"sentencepiece", scan_sentencepiece};
    case Format::flax_msgpack: return {"flax-msgpack", scan_flax_msgpack};
    case Format::tflite: return {"tflite", scan_tflite};
    case Format::coreml: return {"coreml", scan_coreml};
    case Format::coreml_weights: return {"coreml-weights", scan_coreml_weights};
    case Format::openvino_ir: return {"openvino-ir", scan_openvino_ir};
  }
  return {"unknown", scan_unknown_file};
}

}  // namespace

ScannerFn scanner_for(Format f) { return format_entry(f).scanner; }

std::string_view format_name(Format f) { return format_entry(f).name; }

}  // namespace modelgate
