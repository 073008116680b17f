#pragma once
// A YAML stream read with libyaml (the parser behind PyYAML's C loaders, and the same YAML 1.1
// grammar as its Python loaders, which OmegaConf, Hydra and mmengine use) into the values PyYAML's
// SafeLoader constructs: mappings with the last of duplicate keys, merge keys (`<<`) applied as
// flatten_mapping applies them, aliases as copies of their anchor's node, plain scalars resolved to
// null, booleans (yes/no/on/off too) and decimal integers, everything else a string.
//
// This reads what the text search of yaml_keys.h cannot: values on the lines after their key,
// block and folded scalars, flow collections across lines, anchors and merges. Copies made for
// aliases and merges count against a node budget proportional to the text, so that a "billion
// laughs" document is an error, not an allocation.
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.h"

namespace modelgate::yaml {

// Every document of the stream. An error names the offset libyaml stopped at and why, or the
// depth or node budget that was exceeded (rule MG-LIMIT-EXCEEDED).
Expected<std::vector<nlohmann::json>> read_documents(std::string_view text, std::uint32_t max_depth);

}  // namespace modelgate::yaml
