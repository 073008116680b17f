#include "scan/format_table.h"

namespace modelgate {

static void scan_nothing(const Artifact&, NestedScan&, ArtifactReport&) {}

ScannerFn scanner_for(Format f) {
  switch (f) {
    case Format::empty: return scan_nothing;
    case Format::pickle: return scan_pickle_file;
    case Format::text: return scan_text_file;
    case Format::unknown: return scan_unknown_file;
    case Format::zip: return scan_zip;
    case Format::archive: return scan_archive;
    case Format::npy: return scan_npy;
    case Format::torch_legacy: return scan_torch_legacy;
    case Format::joblib_compressed: return scan_joblib_compressed;
    case Format::joblib: return scan_joblib;
    case Format::onnx: return scan_onnx_model;
    case Format::tf_savedmodel: return scan_tensorflow_protobuf;
    case Format::keras_metadata_pb: return scan_tensorflow_protobuf;
    case Format::keras_archive: return scan_keras_archive;
    case Format::hdf5: return scan_hdf5;
    case Format::tf_fingerprint: return scan_tf_fingerprint;
    case Format::safetensors: return scan_safetensors_file;
    case Format::gguf: return scan_gguf_file;
    case Format::json: return scan_json_file;
    case Format::python: return scan_python_file;
    case Format::model_card: return scan_model_card;
    case Format::jinja: return scan_jinja_file;
    case Format::sentencepiece: return scan_sentencepiece;
    case Format::flax_msgpack: return scan_flax_msgpack;
    case Format::tflite: return scan_tflite;
    case Format::coreml: return scan_coreml;
    case Format::coreml_weights: return scan_coreml_weights;
    case Format::openvino_ir: return scan_openvino_ir;
  }
  return scan_unknown_file;
}

std::string_view format_name(Format f) {
  switch (f) {
    case Format::empty: return "empty";
    case Format::pickle: return "pickle";
    case Format::text: return "text";
    case Format::unknown: return "unknown";
    case Format::zip: return "zip";
    case Format::archive: return "archive";
    case Format::npy: return "npy";
    case Format::torch_legacy: return "pytorch-legacy";
    case Format::joblib_compressed: return "joblib-compressed";
    case Format::joblib: return "joblib";
    case Format::onnx: return "onnx";
    case Format::tf_savedmodel: return "tf-savedmodel";
    case Format::keras_metadata_pb: return "keras-metadata-pb";
    case Format::keras_archive: return "keras";
    case Format::hdf5: return "hdf5";
    case Format::tf_fingerprint: return "tf-fingerprint";
    case Format::safetensors: return "safetensors";
    case Format::gguf: return "gguf";
    case Format::json: return "json";
    case Format::python: return "python";
    case Format::model_card: return "model-card";
    case Format::jinja: return "chat-template";
    case Format::sentencepiece: return "sentencepiece";
    case Format::flax_msgpack: return "flax-msgpack";
    case Format::tflite: return "tflite";
    case Format::coreml: return "coreml";
    case Format::coreml_weights: return "coreml-weights";
    case Format::openvino_ir: return "openvino-ir";
  }
  return "unknown";
}

}  // namespace modelgate
