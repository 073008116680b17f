#pragma once
// Which class an imported name is. A pickle may name a class under any module that re-exports it
// (sklearn.svm.SVC, sklearn.tree._classes.Tree, sklearn.neighbors.KDTree), and the allowlist
// admits those aliases; a check that applies to a class must key on where the class is defined.
#include <string>

#include "pickle/value.h"

namespace modelgate::pickle {

// The dotted name of the class `v` (a global) is defined as, following re-exports through the
// definition catalogs. Base classes that behave as a checked class map to it: the BinaryTree of
// sklearn's _kd_tree (_ball_tree) takes the same state as KDTree (BallTree) and runs the same
// queries. Names outside the catalogs, and values that are not globals, come back as spelled.
std::string defining_class(const ValueGraph& graph, const Value& v);

}  // namespace modelgate::pickle
