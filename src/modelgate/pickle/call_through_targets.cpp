#include "pickle/call_through_targets.h"

namespace modelgate::pickle {

bool calls_its_first_argument(std::string_view callable) {
  return callable == "torch._tensor._rebuild_from_type_v2" || callable == "torch._tensor._rebuild_from_type";
}

bool is_torch_rebuild_function(std::string_view callable) {
  return callable.starts_with("torch._utils._rebuild_") && callable.find('.', 13) == std::string_view::npos;
}

bool is_torch_data_class(std::string_view name) {
  if (!name.starts_with("torch.")) return false;
  if (name == "torch.nn.parameter.Parameter" || name == "torch.nn.Parameter" ||
      name == "torch.nn.parameter.UninitializedParameter" || name == "torch.nn.parameter.UninitializedBuffer")
    return true;
  std::string_view last = name.substr(name.rfind('.') + 1);
  return last.ends_with("Storage") || last.ends_with("Tensor");
}

bool is_unvalidated_sparse_rebuild(std::string_view callable, std::string_view layout) {
  (void)layout;  // COO too: its to_dense() follows indices only torch.load's validation bounds
  return callable == "torch._utils._rebuild_sparse_csr_tensor" || callable == "torch._utils._rebuild_sparse_tensor";
}

}  // namespace modelgate::pickle
