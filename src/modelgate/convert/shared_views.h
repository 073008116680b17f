#pragma once
// Tensors that share storage: one tensor is written per distinct view (storage, offset, shape,
// strides, dtype), under the lexicographically first of its names, as Hugging Face's save_model
// keeps sorted(names)[0]; the other names become aliases of it. Different views of one storage
// (a slice next to the whole) are all written, each materialised.
#include <string>
#include <utility>
#include <vector>

#include "container/state_dict_reconstruction.h"

namespace modelgate::convert {

struct DistinctViews {
  std::vector<const TensorRecord*> written;                 // in the input order of their first name
  std::vector<std::pair<std::string, std::string>> aliases;  // name -> written name, sorted by name
};

DistinctViews distinct_views(const std::vector<TensorRecord>& tensors);

}  // namespace modelgate::convert
