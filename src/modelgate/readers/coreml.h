#pragma once
// Core ML models: a `.mlmodel` file (also `Data/com.apple.CoreML/model.mlmodel` inside an
// `.mlpackage`) is a protobuf CoreML.Specification.Model (coremltools mlmodel/format/Model.proto):
// 1 specificationVersion, 2 description, 10 isUpdatable, and one model type of a oneof (200+).
// The runtime executes code that the file does not contain in three ways: a CustomModel (555)
// names an MLCustomModel class, a neural network layer's CustomLayerParams (NeuralNetworkLayer
// field 500) names an MLCustomLayer class, both provided by the application; a LinkedModel (556)
// loads another compiled model from a path; a SerializedModel (3000) is a private format the
// runtime decodes. Pipelines (200-202: Pipeline.models, field 1) and control-flow layers (branch
// 605: if/else networks 1/2; loop 615: condition/body networks 3/4) nest models and networks, so
// they are walked. Everything else (weights, trees, GLMs, ML programs whose operations are the
// runtime's own opset) is data. The reader is schema-aware only on that path; the rest is checked
// at the wire level.
// An ML program's weights live beside it in `weights/weight.bin`, MIL blob storage
// (MILBlob/Blob/StorageFormat.hpp): a 64-byte header {u32 count, u32 version = 2, reserved} and
// `count` entries of a 64-byte blob_metadata {u32 sentinel 0xDEADBEEF, u32 dtype, u64 size,
// u64 offset, reserved} followed by the data, each 64-byte aligned.
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::coreml {

struct CodeReference {
  enum class Kind { custom_layer, custom_model, linked_model, serialized_model } kind;
  std::string name;  // class name, linked file name or serialized-model identifier
  std::size_t offset = 0;
};

struct Model {
  std::uint64_t specification_version = 0;
  std::uint32_t model_type = 0;  // field number of the outermost model's type
  std::uint64_t models = 0;      // models read, pipelines' members included
  std::uint64_t layers = 0;      // neural network layers read
  std::vector<CodeReference> code;
};

// The content probe: a flat Model message led by specificationVersion with exactly one model type.
bool looks_like_model(ByteView bytes);
Expected<Model> parse(ByteView bytes, const Limits& limits);

struct BlobStorage {
  std::uint32_t blobs = 0;
};

bool looks_like_blob_storage(ByteView bytes);
Expected<BlobStorage> parse_blob_storage(ByteView bytes);

}  // namespace modelgate::coreml
