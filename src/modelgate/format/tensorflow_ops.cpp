#include "format/tensorflow_ops.h"

#include <algorithm>

namespace modelgate {

namespace {

using OpClass = TensorflowOpClass;

constexpr TensorflowOp kTensorflowOps[] = {
#include "format/tensorflow_ops.inc"
};

}  // namespace

std::span<const TensorflowOp> tensorflow_ops() { return kTensorflowOps; }

const TensorflowOp* find_tensorflow_op(std::string_view name) {
  auto it = std::lower_bound(std::begin(kTensorflowOps), std::end(kTensorflowOps), name,
                             [](const TensorflowOp& op, std::string_view n) { return op.name < n; });
  return it != std::end(kTensorflowOps) && it->name == name ? it : nullptr;
}

}  // namespace modelgate
