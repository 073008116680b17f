#pragma once
// The outcome of a validating parser that refuses a file under one named rule.
#include <optional>
#include <string_view>

#include "core/expected.h"
#include "core/rule_id.h"

namespace modelgate {

// The refusal: which rule, where, why.
struct Rejection {
  RuleId rule;
  Error error;
};

template <class File>
struct ParseOutcome {
  std::optional<File> file;
  Rejection rejection;  // meaningful when !file
  bool ok() const { return file.has_value(); }
};

}  // namespace modelgate
