#pragma once
// YAML front matter of a model card (README.md between two '---' lines), and whole YAML
// configuration files, read with a small strict subset of YAML: block mappings and sequences,
// plain/quoted scalars (double-quoted escapes decoded as YAML does), flow lists, block scalars,
// comments. Enough for model-card metadata and inference configs; anything else is an error value.
#include <optional>
#include <string>
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

// The body of a double-quoted YAML scalar (between the quotes) with its escapes decoded as YAML
// decodes them; nullopt for an escape YAML rejects.
std::optional<std::string> decode_yaml_double_quoted(std::string_view body);

// A whole YAML file (optionally opened by "---") read with the same subset: configuration files
// such as latent-diffusion inference configs. The top level must be a mapping.
Expected<nlohmann::json> parse_yaml_document(std::string_view text, const Limits& limits);

}  // namespace modelgate
