#pragma once
// YAML front matter of a model card (README.md between two '---' lines), read with a small strict
// subset of YAML: block mappings and sequences, plain/quoted scalars, flow lists, block scalars,
// comments. Enough for the Hugging Face model-card metadata; anything else is an error value.
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate {

// True when the text starts with a front-matter opening line ("---").
bool has_front_matter(std::string_view text);

// Scalars stay strings. The error offset is the byte offset of the offending line. Bounded by
// Limits::max_front_matter_depth and _lines.
Expected<nlohmann::json> parse_front_matter(std::string_view text, const Limits& limits);

}  // namespace modelgate
