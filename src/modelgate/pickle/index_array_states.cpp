#include "pickle/index_array_states.h"

namespace modelgate::pickle {

bool has_unchecked_index_state(std::string_view name) {
  static constexpr std::string_view kClasses[] = {
      "sklearn.tree._tree.Tree",
      "sklearn.neighbors._kd_tree.KDTree",
      "sklearn.neighbors._ball_tree.BallTree",
      "sklearn.neighbors.kd_tree.KDTree",
      "sklearn.neighbors.ball_tree.BallTree",
      "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
  };
  for (std::string_view c : kClasses)
    if (name == c) return true;
  // scipy.sparse's compressed, coordinate, block and diagonal formats (matrix and array classes,
  // under every module path scipy has used); lil and dok hold Python lists and dicts.
  if (!name.starts_with("scipy.sparse.")) return false;
  const std::string_view cls = name.substr(name.rfind('.') + 1);
  for (std::string_view format : {"csr_", "csc_", "bsr_", "coo_", "dia_"})
    if (cls.starts_with(format)) return true;
  return false;
}

}  // namespace modelgate::pickle
