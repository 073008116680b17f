#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> numpy_rules() {
  static const Rule rules[] = {
      {"MG-NPY-MALFORMED", Severity::high, Status::refused, "The .npy header cannot be read exactly.",
       "Bad magic or version, a header that is not the dict numpy writes (descr, fortran_order, "
       "shape), an unknown dtype, or a header over numpy.load's 10000-byte limit."},
      {"MG-NPY-SIZE-MISMATCH", Severity::high, Status::refused,
       "The array data is shorter than the header's shape and dtype require.",
       "numpy.load fails on a truncated array; the file is not what its header says."},
      {"MG-NPY-TRAILING-DATA", Severity::medium, Status::unverified,
       "Bytes follow the array data.",
       "numpy.load reads exactly shape x itemsize bytes and ignores the rest: a place to hide a "
       "payload for another reader."},
      {"MG-NPY-OBJECT-ARRAY", Severity::low, Status::safe,
       "The array has an object dtype; its data is a pickle.",
       "numpy.load refuses object arrays by default (allow_pickle=False) but many callers pass "
       "allow_pickle=True. The pickle is analysed and decides the verdict."},
  };
  return rules;
}

}  // namespace modelgate
