#pragma once
// sklearn estimators keep callables among their parameters and call them after load, with
// arguments partly from the file: FunctionTransformer's func(X, **kw_args) and inverse_func,
// TransformedTargetRegressor's func and inverse_func, a callable kernel (with kernel_params),
// metric (with metric_params), weights or pooling_func. A callable kept there is called as surely
// as one a REDUCE calls at load, so it must pass the same test: a name a profile admits only to be
// referenced (by a wildcard) is not one sklearn may call.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pickle/value.h"

namespace modelgate::pickle {

struct StoredCallable {
  std::string where;  // the state key (and the path below it) that holds it
  const Node* global;  // null: the search ran out of `budget` there, and what lies beyond is unknown
};

// The first global in the state of an object of `class_name` (its values, the containers in them
// and the states of the non-sklearn objects in them) for which `may_not_be_called` holds, leaving
// out parameters sklearn calls only in fit() (a univariate selector's score_func). Each object
// visited takes one from `budget`, which the caller shares between the objects it searches.
std::optional<StoredCallable> find_stored_callable(const ValueGraph& graph, std::string_view class_name,
                                                   const Value& state,
                                                   const std::function<bool(const Node& global)>& may_not_be_called,
                                                   std::size_t& budget);

}  // namespace modelgate::pickle
