#pragma once
// The tensors of a pre-1.0 tar checkpoint as views of its storages: the `tensors` member's records,
// each resolved through storage views to the storage that holds its bytes, as torch's legacy_load
// builds them. These are what the `pickle` member's persistent ids name.
#include <map>
#include <string>

#include "container/state_dict_reconstruction.h"
#include "container/torch_tar.h"
#include "core/expected.h"

namespace modelgate {

// Each tensor by its key (TensorRecord::name empty; storage_key the root storage, offset in its
// elements). An Error names the first record torch would not load, or whose dtype has no exact
// safetensors counterpart.
Expected<std::map<std::string, TensorRecord>> torch_tar_tensor_records(const TorchTarLayout& layout);

}  // namespace modelgate
