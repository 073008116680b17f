#pragma once
// The scanner of each format, one per format file, with the ScannerFn signature
// (artifact/nested_scan.h). The engine's table (scan/format_table.cpp) picks one per identified
// format.
#include "artifact/nested_scan.h"

namespace modelgate {

void scan_pickle_file(const Artifact&, NestedScan&, ArtifactReport&);
void scan_text_file(const Artifact&, NestedScan&, ArtifactReport&);
void scan_unknown_file(const Artifact&, NestedScan&, ArtifactReport&);
void scan_zip(const Artifact&, NestedScan&, ArtifactReport&);
void scan_archive(const Artifact&, NestedScan&, ArtifactReport&);
void scan_npy(const Artifact&, NestedScan&, ArtifactReport&);
void scan_torch_legacy(const Artifact&, NestedScan&, ArtifactReport&);
void scan_joblib_compressed(const Artifact&, NestedScan&, ArtifactReport&);
void scan_joblib(const Artifact&, NestedScan&, ArtifactReport&);
void scan_onnx_model(const Artifact&, NestedScan&, ArtifactReport&);
void scan_tensorflow_protobuf(const Artifact&, NestedScan&, ArtifactReport&);
void scan_keras_archive(const Artifact&, NestedScan&, ArtifactReport&);
void scan_hdf5(const Artifact&, NestedScan&, ArtifactReport&);
void scan_tf_fingerprint(const Artifact&, NestedScan&, ArtifactReport&);
void scan_safetensors_file(const Artifact&, NestedScan&, ArtifactReport&);
void scan_gguf_file(const Artifact&, NestedScan&, ArtifactReport&);
void scan_json_file(const Artifact&, NestedScan&, ArtifactReport&);
void scan_python_file(const Artifact&, NestedScan&, ArtifactReport&);
void scan_model_card(const Artifact&, NestedScan&, ArtifactReport&);
void scan_jinja_file(const Artifact&, NestedScan&, ArtifactReport&);
void scan_sentencepiece(const Artifact&, NestedScan&, ArtifactReport&);
void scan_flax_msgpack(const Artifact&, NestedScan&, ArtifactReport&);
void scan_tflite(const Artifact&, NestedScan&, ArtifactReport&);
void scan_coreml(const Artifact&, NestedScan&, ArtifactReport&);
void scan_coreml_weights(const Artifact&, NestedScan&, ArtifactReport&);
void scan_openvino_ir(const Artifact&, NestedScan&, ArtifactReport&);

}  // namespace modelgate
