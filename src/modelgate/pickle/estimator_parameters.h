#pragma once
// sklearn checks an estimator's parameters against its _parameter_constraints only in fit(): a
// pickled estimator's are never checked, and some reach compiled code at transform or predict
// time, which trusts them (PolynomialFeatures.interaction_only becomes an offset into a csr
// matrix's indices, FeatureHasher.n_features a divisor). The constraints sklearn declares for
// those parameters (and the fitted scalars derived from them) are checked here on the state.
#include <string_view>

#include "pickle/index_array_states.h"
#include "pickle/value.h"

namespace modelgate::pickle {

// Classes with parameters that compiled code trusts after load.
bool has_trusted_parameters(std::string_view class_name);

// Every such parameter the state sets must be a literal of the type and range sklearn's
// constraints allow: out_of_range when it is not, unchecked when it is not a literal.
IndexStateCheck check_trusted_parameters(const ValueGraph& graph, std::string_view class_name, const Node& state);

}  // namespace modelgate::pickle
