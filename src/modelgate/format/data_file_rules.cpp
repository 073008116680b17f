#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> data_file_rules() {
  static const Rule rules[] = {
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
      {"MG-FORMAT-UNSUPPORTED", Severity::high, Status::refused,
       "A known model format that modelgate does not analyse (Core ML, OpenVINO IR).",
       "The format is recognised but its contents (custom operators, delegates, extension layers) "
       "are not read, so nothing can be said about them. docs/repositories.md lists these formats "
       "and the reason for each."},
  };
  return rules;
}

}  // namespace modelgate
