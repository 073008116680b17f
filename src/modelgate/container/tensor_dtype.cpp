#include "container/tensor_dtype.h"

#include <array>
#include <utility>

namespace modelgate {

namespace {

using safetensors::Dtype;

DtypeMapping ok(Dtype d, unsigned size) { return {d, size, {}}; }
DtypeMapping refused(std::string why) { return {std::nullopt, 0, std::move(why)}; }

}  // namespace

DtypeMapping dtype_of_storage(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, std::pair<Dtype, unsigned>>, 11> kTypes{{
      {"DoubleStorage", {Dtype::F64, 8}}, {"FloatStorage", {Dtype::F32, 4}},
      {"HalfStorage", {Dtype::F16, 2}},   {"BFloat16Storage", {Dtype::BF16, 2}},
      {"LongStorage", {Dtype::I64, 8}},   {"IntStorage", {Dtype::I32, 4}},
      {"ShortStorage", {Dtype::I16, 2}},  {"CharStorage", {Dtype::I8, 1}},
      {"ByteStorage", {Dtype::U8, 1}},    {"BoolStorage", {Dtype::BOOL, 1}},
      {"UntypedStorage", {Dtype::U8, 1}},
  }};
  for (const auto& [name, d] : kTypes)
    if (name == type) return ok(d.first, d.second);
  if (type.substr(0, 7) == "Complex")
    return refused("complex tensors (" + std::string(type) + ") are not converted: safetensors readers do not agree on them");
  if (type.substr(0, 1) == "Q")
    return refused("quantized tensors (" + std::string(type) + ") are not converted: their scale and zero point have no place in safetensors");
  return refused("storage type " + std::string(type) + " has no safetensors dtype");
}

DtypeMapping dtype_of_torch_dtype(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::pair<Dtype, unsigned>>, 22> kDtypes{{
      {"float64", {Dtype::F64, 8}},  {"double", {Dtype::F64, 8}},      {"float32", {Dtype::F32, 4}},
      {"float", {Dtype::F32, 4}},    {"float16", {Dtype::F16, 2}},     {"half", {Dtype::F16, 2}},
      {"bfloat16", {Dtype::BF16, 2}}, {"int64", {Dtype::I64, 8}},      {"long", {Dtype::I64, 8}},
      {"int32", {Dtype::I32, 4}},    {"int", {Dtype::I32, 4}},         {"int16", {Dtype::I16, 2}},
      {"short", {Dtype::I16, 2}},    {"int8", {Dtype::I8, 1}},         {"uint8", {Dtype::U8, 1}},
      {"bool", {Dtype::BOOL, 1}},    {"uint16", {Dtype::U16, 2}},      {"uint32", {Dtype::U32, 4}},
      {"uint64", {Dtype::U64, 8}},   {"float8_e5m2", {Dtype::F8_E5M2, 1}},
      {"float8_e4m3fn", {Dtype::F8_E4M3, 1}}, {"float8_e8m0fnu", {Dtype::F8_E8M0, 1}},
  }};
  for (const auto& [n, d] : kDtypes)
    if (n == name) return ok(d.first, d.second);
  return refused("torch." + std::string(name) + " has no safetensors dtype");
}

}  // namespace modelgate
