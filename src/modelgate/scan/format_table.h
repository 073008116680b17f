#pragma once
#include "scan/identify.h"
#include "scan/scan_context.h"

namespace modelgate {

// The scanner for each identified format.
ScannerFn scanner_for(Format f);

// Scanners, one per format file.
void scan_pickle_file(const Artifact&, ScanContext&, ArtifactReport&);
void scan_text_file(const Artifact&, ScanContext&, ArtifactReport&);
void scan_unknown_file(const Artifact&, ScanContext&, ArtifactReport&);
void scan_zip(const Artifact&, ScanContext&, ArtifactReport&);
void scan_archive(const Artifact&, ScanContext&, ArtifactReport&);
void scan_npy(const Artifact&, ScanContext&, ArtifactReport&);
void scan_torch_legacy(const Artifact&, ScanContext&, ArtifactReport&);
void scan_joblib_compressed(const Artifact&, ScanContext&, ArtifactReport&);
void scan_joblib(const Artifact&, ScanContext&, ArtifactReport&);
void scan_onnx_model(const Artifact&, ScanContext&, ArtifactReport&);
void scan_tensorflow_protobuf(const Artifact&, ScanContext&, ArtifactReport&);
void scan_keras_archive(const Artifact&, ScanContext&, ArtifactReport&);
void scan_hdf5(const Artifact&, ScanContext&, ArtifactReport&);
void scan_tf_fingerprint(const Artifact&, ScanContext&, ArtifactReport&);
void scan_safetensors_file(const Artifact&, ScanContext&, ArtifactReport&);
void scan_gguf_file(const Artifact&, ScanContext&, ArtifactReport&);
void scan_json_file(const Artifact&, ScanContext&, ArtifactReport&);
void scan_python_file(const Artifact&, ScanContext&, ArtifactReport&);
void scan_model_card(const Artifact&, ScanContext&, ArtifactReport&);
void scan_jinja_file(const Artifact&, ScanContext&, ArtifactReport&);
void scan_sentencepiece(const Artifact&, ScanContext&, ArtifactReport&);
void scan_flax_msgpack(const Artifact&, ScanContext&, ArtifactReport&);
void scan_tflite(const Artifact&, ScanContext&, ArtifactReport&);
void scan_coreml(const Artifact&, ScanContext&, ArtifactReport&);
void scan_coreml_weights(const Artifact&, ScanContext&, ArtifactReport&);
void scan_openvino_ir(const Artifact&, ScanContext&, ArtifactReport&);

// Content probes of the data-file formats (data_files.cpp).
bool looks_like_tflite(ByteView bytes);
bool looks_like_openvino_ir(std::string_view text);

}  // namespace modelgate
