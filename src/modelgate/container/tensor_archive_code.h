#pragma once
// The TorchScript code that libtorch's torch::serialize::OutputArchive writes (tch-rs
// VarStore::save, rust_model.ot): one class that only declares its tensor attributes.
//   class Module(Module):
//     __parameters__ = ["a|weight", "a|bias", ]
//     __buffers__ = []
//     __annotations__ = []
//     __annotations__["a|weight"] = Tensor
//     plain_name : Tensor
// Such code defines no method, so torch.jit.load compiles a type and runs nothing (unpickling
// the module object's state calls __setstate__ only when the class defines one).
#include <string_view>

namespace modelgate {

// True only for text made exclusively of the lines above (any number of attributes).
bool is_tensor_declarations_code(std::string_view code);

}  // namespace modelgate
