#pragma once
// TFLite models (*.tflite): a FlatBuffer with file identifier "TFL3" whose root is
// tflite::Model (tensorflow/compiler/mlir/lite/schema/schema.fbs). The interpreter runs each
// operator with a kernel chosen by its OperatorCode: a builtin operator (any code but CUSTOM,
// 32) runs TFLite's own kernel; CUSTOM names a kernel registered by the application or a delegate
// (Flex ops run TensorFlow kernels), which nothing in the file describes. So the operator codes
// are what decide the verdict; tensors, buffers and subgraphs are data.
// The reader is bounded: every offset, vtable and vector is checked against the bytes before it
// is read, nothing is allocated by a declared count, and only the tables on the way to the
// operator codes are visited.
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"

namespace modelgate::tflite {

struct OperatorCode {
  std::int32_t builtin = 0;  // max(deprecated_builtin_code, builtin_code), as the interpreter takes it
  std::string custom_code;   // for builtin == kCustom
  std::int32_t version = 1;
};

inline constexpr std::int32_t kCustom = 32;  // BuiltinOperator_CUSTOM

struct Model {
  std::uint32_t schema_version = 0;
  std::vector<OperatorCode> operator_codes;
  std::uint64_t subgraphs = 0;
  std::uint64_t buffers = 0;
};

Expected<Model> parse(ByteView bytes, std::uint64_t max_operator_codes);

// The content probe: the "TFL3" file identifier at byte 4.
bool looks_like_model(ByteView bytes);

}  // namespace modelgate::tflite
