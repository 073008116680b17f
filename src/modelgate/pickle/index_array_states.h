#pragma once
// Allowlisted classes whose BUILD state holds index arrays that their compiled code follows
// without bounds checks: a tree's child and feature indices, a sparse matrix's column indices and
// row pointers. The values sit in the arrays' raw bytes, which the scan does not check yet, so such
// a state is reported as unchecked rather than passed as safe.
#include <string_view>

namespace modelgate::pickle {

// `class_name` is the dotted name of the class a BUILD's object was made from.
bool has_unchecked_index_state(std::string_view class_name);

}  // namespace modelgate::pickle
