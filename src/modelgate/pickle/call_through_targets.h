#pragma once
// Allowlisted callables that call, or make an instance of, a value the pickle passes them, and the
// torch classes that must never be constructed by a pickle directly.
#include <string_view>

namespace modelgate::pickle {

// torch._tensor._rebuild_from_type(_v2)(func, new_type, args, state): returns func(*args).
bool calls_its_first_argument(std::string_view callable);

// What torch writes as that `func`: its own torch._utils._rebuild_* functions.
bool is_torch_rebuild_function(std::string_view callable);

// torch storage and tensor classes (torch.UntypedStorage, torch.FloatTensor, torch.Tensor,
// torch.nn.parameter.Parameter, ...). Their constructors take integers that torch casts to C++
// pointers (allocator=, cdata=); torch's own pickles make storages by persistent_load and tensors
// by torch._utils._rebuild_*, never by calling these classes.
bool is_torch_data_class(std::string_view qualified_name);

// A sparse rebuild in any layout (COO as well as csr, csc, bsr, bsc): torch checks its indices only
// at the end of torch.load, never under pickle.load or joblib.load. `layout` is the layout argument's
// qualified name or text ("" when unknown).
bool is_unvalidated_sparse_rebuild(std::string_view callable, std::string_view layout);

}  // namespace modelgate::pickle
