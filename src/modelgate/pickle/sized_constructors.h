#pragma once
// Allowlisted callables whose call allocates in proportion to a number in the file rather than to
// the file's own bytes: bytearray(2*10**9) is 51 bytes of pickle and 2 GB of zeroes at load,
// list(range(10**10)) materialises every element, and numpy's _reconstruct(ndarray, shape, dtype)
// allocates the product of the shape times the dtype's item size before any data is read.
#include <cstdint>
#include <string_view>

namespace modelgate::pickle {

enum class SizedArgument : std::uint8_t {
  none,
  bytes_or_elements,  // bytes(n), bytearray(n): n zero bytes; bytes(range(n)): n elements
  elements,           // list, tuple, set, frozenset, deque, Counter, torch.Size, numpy's scalar types:
                      // one element per item of a range
  numpy_reconstruct,  // _reconstruct(subtype, shape, dtype): shape x item size
  numpy_ndarray,      // ndarray(shape, dtype=float64, buffer=None): shape x item size without a buffer
  numpy_masked,       // _mareconstruct(subtype, baseclass, shape, dtype): data and a mask of that shape
  numpy_scalar,       // scalar(dtype) without data: one zeroed item
  numpy_void,         // numpy.void(n): n zero bytes
  torch_quantized,    // _rebuild_qtensor(storage, offset, size, ...): an empty quantized tensor of size
  sklearn_tree,       // Tree(n_features, n_classes, n_outputs): an array of n_outputs class counts
  scipy_sparse_rows,     // csr, bsr, lil of a shape (M, N): a row pointer (or list) per row
  scipy_sparse_columns,  // csc of a shape (M, N): a column pointer per column
  first_argument,     // copyreg.__newobj__(cls, *args), __newobj_ex__, _reconstructor, torch's
                      // _rebuild_from_type_v2(func, type, args, state): the rule of what they call
};

SizedArgument sized_constructor(std::string_view callable);

// The number of items range(start, stop, step) yields (at most INT64_MAX), or -1 when step is 0
// (range raises).
std::int64_t range_length(std::int64_t start, std::int64_t stop, std::int64_t step);

}  // namespace modelgate::pickle
