#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> data_file_rules() {
  static const Rule rules[] = {
      {"MG-LFS-POINTER", Severity::high, Status::refused,
       "The file is a Git LFS pointer: the content it stands for was never downloaded or scanned.",
       "A clone made without Git LFS (or with GIT_LFS_SKIP_SMUDGE=1) holds small text pointers where the "
       "weights should be. Nothing of the model was read, and a later `git lfs pull` puts bytes no scan has "
       "seen under the scanned names. Fetch the LFS content and scan again."},
      {"MG-YAML-PYTHON-OBJECT", Severity::critical, Status::unsafe,
       "A YAML tag asks the loader to import or call Python code.",
       "Tags under tag:yaml.org,2002:python/ (written !!python/..., through a %TAG handle, verbatim or "
       "%-escaped) make PyYAML's unsafe loader construct Python objects: python/object/apply calls a "
       "callable, python/name and python/module import. Configurations are loaded that way by "
       "detectron2, fvcore and OpenMMLab. Remove the tags; plain YAML needs none."},
      {"MG-YAML-PYTHON-TAG", Severity::medium, Status::unverified,
       "A YAML tag names a Python type the loader has no constructor for.",
       "PyYAML raises on it; another loader may not. Only plain data tags (python/tuple, python/str, ...) "
       "are known to construct nothing but data."},
      {"MG-SPM-MALFORMED", Severity::high, Status::refused,
       "The SentencePiece model (protobuf ModelProto) could not be read completely.",
       "tokenizer.model / spiece.model files are protobuf ModelProto messages: pieces with a string, a "
       "score and a type, and trainer, normalizer and self-test specs. A field outside that schema, a "
       "piece that is not UTF-8 or broken wire encoding is refused; the offset is given."},
      {"MG-FLAX-MALFORMED", Severity::high, Status::refused,
       "The Flax msgpack checkpoint could not be read completely as flax writes it.",
       "flax_model.msgpack is a msgpack map of maps whose leaves are ext type 1 (shape, dtype, bytes) "
       "arrays, ext 2 complex numbers and ext 3 scalars. Unknown ext types, non-numeric dtypes, data "
       "that does not match its shape, duplicate keys, truncation and trailing bytes are refused."},
      {"MG-TFLITE-MALFORMED", Severity::high, Status::refused,
       "The TFLite flatbuffer could not be read as the interpreter reads it.",
       "A .tflite file is a FlatBuffer (identifier TFL3) whose root tflite::Model lists operator codes. "
       "Offsets, vtables, vectors and strings on the way to them must lie inside the file, strings must "
       "be NUL-terminated, and the schema version must be 3 (the only one the interpreter reads); "
       "otherwise the file is refused with the offset."},
      {"MG-TFLITE-CUSTOM-OP", Severity::high, Status::unverified,
       "The TFLite model uses a custom operator.",
       "Builtin operators run TFLite's own kernels. A CUSTOM operator code names a kernel that the "
       "application or a delegate registers (Flex ops run TensorFlow kernels): nothing in the file says "
       "what it does, so the model is unverified, with the operator's name as evidence."},
      {"MG-COREML-MALFORMED", Severity::high, Status::refused,
       "The Core ML model or its weight file could not be read completely.",
       "A .mlmodel file (also model.mlmodel inside an .mlpackage) is a protobuf CoreML.Specification.Model "
       "with one model type; pipelines and neural-network control-flow layers nest models and networks, "
       "which are walked to find custom code. Broken wire encoding, a field outside Model, two different "
       "model types (readers keep different ones) or no model type is refused with the offset; so is a "
       "MIL blob storage file (weights/weight.bin) whose header, sentinels or blob ranges are wrong."},
      {"MG-COREML-CUSTOM-CODE", Severity::high, Status::unverified,
       "The Core ML model runs a custom layer or custom model class.",
       "A CustomModel or a neural network layer with CustomLayerParams names an Objective-C/Swift class "
       "(MLCustomModel, MLCustomLayer) that the application must provide: its code is not in the file "
       "and nothing says what it does. The class name is the evidence."},
      {"MG-COREML-LINKED-MODEL", Severity::high, Status::unverified,
       "The Core ML model links another compiled model by file name.",
       "A LinkedModel loads a compiled model (.mlmodelc) found through a search path that may be absolute "
       "or point into the application bundle. That model was not scanned: scan it too."},
      {"MG-COREML-SERIALIZED-MODEL", Severity::high, Status::unverified,
       "The Core ML model holds a serialized model of a private type that is not read.",
       "SerializedModel (field 3000) carries bytes in a format Apple reserves and changes without notice; "
       "modelgate does not read them, so the model is unverified with the type identifier as evidence."},
      {"MG-OPENVINO-MALFORMED", Severity::high, Status::refused,
       "The OpenVINO IR XML could not be read as OpenVINO reads it.",
       "An IR is an XML <net> (version 10 or 11, the ones OpenVINO reads) of <layer> elements. The reader "
       "accepts comments, the XML declaration, quoted attributes, the predefined entities and character "
       "references; a DOCTYPE (entity definitions), CDATA, processing instructions, duplicate attributes, "
       "mismatched tags or other IR versions are refused with the offset."},
      {"MG-OPENVINO-EXTENSION-OP", Severity::high, Status::unverified,
       "The OpenVINO IR uses an operation outside OpenVINO's operation sets.",
       "Each layer names its operation set in `version`: opsetN operations are OpenVINO's own; any other "
       "set (`extension`, a custom opset) is implemented by an extension library that the application "
       "registers (for example openvino_tokenizers), code that is not in the model. The operation type "
       "and set are the evidence."},
  };
  return rules;
}

}  // namespace modelgate
