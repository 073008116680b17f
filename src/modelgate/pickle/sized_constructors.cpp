#include "pickle/sized_constructors.h"

#include <cstdint>

namespace modelgate::pickle {

SizedArgument sized_constructor(std::string_view callable) {
  if (callable == "builtins.bytes" || callable == "builtins.bytearray")
    return SizedArgument::bytes_or_elements;
  static constexpr std::string_view kCollections[] = {
      "builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset", "collections.deque",
      "collections.Counter", "torch.Size"};
  for (auto n : kCollections)
    if (callable == n) return SizedArgument::elements;
  if (callable == "numpy.core.multiarray._reconstruct" || callable == "numpy._core.multiarray._reconstruct")
    return SizedArgument::numpy_reconstruct;
  if (callable == "numpy.ndarray") return SizedArgument::numpy_ndarray;
  if (callable == "numpy.ma.core._mareconstruct" || callable == "numpy.ma._mareconstruct")
    return SizedArgument::numpy_masked;
  if (callable == "numpy.core.multiarray.scalar" || callable == "numpy._core.multiarray.scalar")
    return SizedArgument::numpy_scalar;
  if (callable == "numpy.void") return SizedArgument::numpy_void;
  // numpy.int64(range(n)) and the like return an array of n items.
  static constexpr std::string_view kNumpyScalarTypes[] = {
      "bool_", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "intc", "uintc",
      "intp", "uintp", "int_", "uint", "longlong", "ulonglong", "short", "ushort", "byte", "ubyte", "half",
      "single", "double", "longdouble", "float16", "float32", "float64", "float96", "float128", "complex64",
      "complex128", "complex192", "complex256", "csingle", "cdouble", "clongdouble", "datetime64", "timedelta64"};
  if (callable.starts_with("numpy."))
    for (auto n : kNumpyScalarTypes)
      if (callable.substr(6) == n) return SizedArgument::elements;
  // torch._empty_affine_quantized(size) before the tensor is set to its storage.
  if (callable == "torch._utils._rebuild_qtensor") return SizedArgument::torch_quantized;
  if (callable == "sklearn.tree._tree.Tree") return SizedArgument::sklearn_tree;
  if (callable.starts_with("scipy.sparse.")) {
    const std::string_view cls = callable.substr(callable.rfind('.') + 1);
    if (cls.starts_with("csr_") || cls.starts_with("bsr_") || cls.starts_with("lil_")) return SizedArgument::scipy_sparse_rows;
    if (cls.starts_with("csc_")) return SizedArgument::scipy_sparse_columns;
  }
  if (callable == "torch._tensor._rebuild_from_type_v2") return SizedArgument::first_argument;  // func(*args)
  if (callable == "copyreg.__newobj__" || callable == "copy_reg.__newobj__" || callable == "copyreg.__newobj_ex__" ||
      callable == "copyreg._reconstructor" || callable == "copy_reg._reconstructor")
    return SizedArgument::first_argument;
  return SizedArgument::none;
}

std::int64_t range_length(std::int64_t start, std::int64_t stop, std::int64_t step) {
  if (step == 0) return -1;
  if (step > 0 ? stop <= start : stop >= start) return 0;
  // In unsigned arithmetic: stop - start may not fit an int64, nor may -step.
  const std::uint64_t span = step > 0 ? static_cast<std::uint64_t>(stop) - static_cast<std::uint64_t>(start)
                                      : static_cast<std::uint64_t>(start) - static_cast<std::uint64_t>(stop);
  const std::uint64_t by = step > 0 ? static_cast<std::uint64_t>(step) : std::uint64_t{0} - static_cast<std::uint64_t>(step);
  const std::uint64_t n = (span - 1) / by + 1;
  return n > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(n);
}

}  // namespace modelgate::pickle
