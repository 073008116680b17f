#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> joblib_rules() {
  static const Rule rules[] = {
      {"MG-JOBLIB-WRAPPER", Severity::high, Status::refused,
       "A joblib NumpyArrayWrapper cannot be resolved to an array size.",
       "joblib reads an array's raw bytes from the file right after the wrapper; when the shape or "
       "dtype is not literal the position of the next opcode is unknown, so the rest of the file "
       "cannot be analysed."},
      {"MG-JOBLIB-MALFORMED", Severity::high, Status::refused,
       "A compressed joblib file cannot be decompressed completely.",
       "Truncated or corrupt compressed data; what joblib would load is unknown."},
  };
  return rules;
}

}  // namespace modelgate
