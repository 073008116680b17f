#pragma once
// A strict JSON reader for configuration files: RFC 8259 plus the NaN/Infinity literals Python's
// json module writes, with duplicate keys, invalid UTF-8, lone surrogates and trailing data
// refused, nesting bounded, and no exceptions. Large documents can be read "shallow": every byte
// is still validated, but only top-level scalars and the listed top-level keys are materialised.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.h"

namespace modelgate {

struct JsonReadOptions {
  std::size_t max_depth = 128;
  std::size_t full_dom_bytes = 1u << 20;  // documents up to this size are materialised fully
  std::vector<std::string> deep_keys;     // top-level keys always materialised
};

struct JsonDocument {
  nlohmann::json value;
  bool shallow = false;  // some top-level containers were validated but left empty
};

Expected<JsonDocument> read_strict_json(std::string_view text, const JsonReadOptions& options);

// Cheap content test used by identify(): the bytes start (after whitespace) like a JSON object
// or array. The scanner decides strictly.
bool looks_like_json(std::string_view text);

}  // namespace modelgate
