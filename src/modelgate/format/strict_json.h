#pragma once
// Strict JSON for headers and configs that loaders parse with permissive parsers: the whole text
// must be one JSON value (whitespace around it is allowed), strings must be valid UTF-8, nesting
// is bounded, and a key repeated in the same object is an error (nlohmann's DOM parser, like
// Python's json module, would silently keep the last one: two readers could disagree).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.h"

namespace modelgate {

enum class JsonErrorKind { syntax, duplicate_key, too_deep, too_large };

struct JsonKeyOffset {
  std::string key;
  std::uint64_t offset;  // of the key's opening quote, relative to the parsed text
};

struct StrictJson {
  std::optional<nlohmann::json> value;  // set on success
  JsonErrorKind kind = JsonErrorKind::syntax;
  ParseError error;                      // offset relative to the parsed text
  std::vector<JsonKeyOffset> top_level_keys;  // keys of the top-level object, in file order

  bool ok() const { return value.has_value(); }
};

// `max_values` bounds the DOM's size (every scalar, array and object counts as one value), so
// that a header of small numbers cannot expand into many times its size in memory.
StrictJson parse_strict_json(std::string_view text, std::uint32_t max_depth,
                             std::uint64_t max_values = std::numeric_limits<std::uint64_t>::max());

}  // namespace modelgate
