#pragma once
// Which safetensors dtype a torch storage type or torch dtype global becomes, and why the ones
// safetensors cannot hold (complex, quantized, sub-byte) are refused.
#include <optional>
#include <string>
#include <string_view>

#include "readers/safetensors.h"

namespace modelgate {

struct DtypeMapping {
  std::optional<safetensors::Dtype> dtype;  // nullopt: refused, see `why`
  unsigned element_size = 0;
  std::string why;
};

// `type` as StorageRef::type spells it ("FloatStorage", "UntypedStorage", ...).
DtypeMapping dtype_of_storage(std::string_view type);
// A torch dtype global's name ("float8_e4m3fn"), as _rebuild_tensor_v3 passes it.
DtypeMapping dtype_of_torch_dtype(std::string_view name);

}  // namespace modelgate
