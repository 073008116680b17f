#pragma once
// Content sniffing: the single entry point that decides which scanner reads an artifact.
// Extensions are never consulted.
#include "core/bytes.h"

namespace modelgate {

enum class Format {
  empty,
  pickle,
  text,
  unknown,
  zip,
  archive,       // 7z, tar, single-stream compression (libarchive)
  npy,
  torch_legacy,
  joblib_compressed,
  joblib,        // a pickle with joblib's NumpyArrayWrapper (raw array bytes inline)
  onnx,
  tf_savedmodel,
  keras_metadata_pb,
  keras_archive,
  hdf5,
  tf_fingerprint,
  safetensors,
  gguf,
  json,           // strict JSON; the scanner classifies configs, tokenizers, weight indexes by keys
  python,         // Python source text
  model_card,     // Markdown with YAML front matter (README.md)
  jinja,          // text with Jinja tags that no other format claims (chat_template.jinja)
  sentencepiece,  // protobuf ModelProto (tokenizer.model, spiece.model)
  flax_msgpack,   // msgpack state dict (flax_model.msgpack)
  tflite,         // TFLite flatbuffer: operator codes read
  coreml,         // Core ML Model protobuf (.mlmodel, model.mlmodel of an .mlpackage)
  coreml_weights, // MIL blob storage (weights/weight.bin of an .mlpackage)
  openvino_ir,    // OpenVINO IR XML: layers and their operation sets read
};

struct Artifact;

Format identify(ByteView bytes);
Format identify(const Artifact& artifact);  // shares the artifact's pickle probe

}  // namespace modelgate
