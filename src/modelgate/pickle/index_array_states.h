#pragma once
// Allowlisted classes whose BUILD state holds index arrays that their compiled code follows
// without bounds checks: a tree's child and feature indices, a sparse matrix's column indices and
// row pointers. Where the arrays' bytes are in the pickle (or the loader's file) the indices are
// read and checked; otherwise such a state is reported as unchecked, never passed as safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "pickle/value.h"

namespace modelgate::pickle {

// An array's raw items as the loader will see them.
struct ArrayBytes {
  ByteView data;
  std::vector<std::uint64_t> shape;
  Value dtype;                                // the numpy.dtype call
  std::shared_ptr<const std::string> decoded;  // holds `data` when it is not a view of the input
};
// Finds the bytes of an array value the machine cannot see itself (joblib keeps them after BUILD).
using ArrayBytesLookup = std::function<std::optional<ArrayBytes>(const ValueGraph&, const Value& array)>;

// `class_name` is the dotted name of the class a BUILD's object was made from.
bool has_unchecked_index_state(std::string_view class_name);

struct IndexStateCheck {
  enum class Outcome { valid, out_of_range, unchecked } outcome = Outcome::unchecked;
  std::string reason;
};

// Checks the indices of a state of the classes above: trees and tree ensembles, KD and ball trees,
// histogram boosting predictors, libsvm estimators, csr/csc/coo matrices; the other classes (and
// states whose arrays cannot be read) come back unchecked.
IndexStateCheck check_index_state(const ValueGraph& graph, std::string_view class_name, const Node& object,
                                  const Value& state, const ArrayBytesLookup& lookup);

// Classes whose compiled code reads arrays only a state (or their constructor's arguments) gives
// them: an object of one that no BUILD gives a state must be checked by check_unbuilt_object.
bool needs_state(std::string_view class_name);

// An object of such a class that is never BUILT: its constructor's arguments where they are a
// state the scan checks (csr/csc's (data, indices, indptr), shape), unchecked otherwise.
IndexStateCheck check_unbuilt_object(const ValueGraph& graph, std::string_view class_name, const Node& object,
                                     const ArrayBytesLookup& lookup);

}  // namespace modelgate::pickle
