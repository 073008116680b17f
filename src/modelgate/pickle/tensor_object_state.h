#pragma once
// The object state torch._tensor._rebuild_from_type_v2(func, type, args, state) gives the tensor
// it rebuilt: torch._utils._set_obj_state calls setattr(tensor, key, value) for every key of the
// dict part and the slots part. torch writes the tensor subclass's own __dict__ there; a key that
// is one of Tensor's own attributes (`data`, `grad`, `real`, hooks...) or a dunder name changes the
// tensor after it was rebuilt and checked, or its class.
#include <optional>
#include <string>

#include "pickle/value.h"

namespace modelgate::pickle {

// Why `state` writes more than a subclass's own attributes, or nullopt when it does not.
std::optional<std::string> tensor_state_write(const ValueGraph& g, const Value& state);

}  // namespace modelgate::pickle
