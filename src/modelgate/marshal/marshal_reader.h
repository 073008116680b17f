#pragma once
// A bounded reader for CPython's `marshal` format, just deep enough to name what a serialized
// code object (a Keras Lambda) references: co_names, string constants and nested code objects.
// Nothing is executed or converted into Python objects. The marshal stream carries no version,
// so the code-object layouts of Python 3.11+, 3.8-3.10 and 3.0-3.7 are tried in turn; the one that
// consumes the input exactly wins.
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::marshal {

struct CodeSummary {
  std::string name;                  // co_name
  std::string filename;              // co_filename
  std::vector<std::string> names;    // co_names: globals and attributes the code looks up
  std::vector<std::string> strings;  // string constants
};

struct MarshalSummary {
  std::string layout;                // "py3.11+", "py3.8-3.10", "py3.0-3.7"
  std::vector<CodeSummary> codes;    // the top-level code object first, then nested ones
};

// Bounded by Limits::max_marshal_*.
Expected<MarshalSummary> read_code_object(ByteView data, const Limits& limits);

}  // namespace modelgate::marshal
