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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.h"

namespace modelgate::yaml {

// Every document of the stream. An error names the offset libyaml stopped at and why, or the
// depth or node budget that was exceeded (rule MG-LIMIT-EXCEEDED). Flow collections nested past
// `max_depth` stop the reading as soon as libyaml's scanner reaches them, before the quadratic
// work it would do on them.
Expected<std::vector<nlohmann::json>> read_documents(std::string_view text, std::uint32_t max_depth);

// A node with an explicit tag, as libyaml reports it: the tag with its handle expanded by the
// stream's %TAG directives (`!apply:os.system` stays `!apply:os.system` under the default `!`
// handle; `!<!new:x>` is `!new:x`), %-escapes decoded. Readers of the local tags of a library
// (HyperPyYAML's `!new:`...) use this; readers/yaml_tags.h finds the same tags by text.
struct NodeTag {
  std::uint64_t offset = 0;               // where the node starts
  std::string tag;
  std::optional<std::string> scalar;      // the value of a scalar node
  bool plain = false;                     // a plain scalar
};

// Every explicitly tagged node, and every plain scalar whose text starts with `first_of_plain`
// (when given; implicit resolvers such as HyperPyYAML's `!tuple` for "(...)" look at those), in
// document order, at most `max_nodes` of them. An error is libyaml's, or flow collections nested
// past `max_depth`, as for read_documents.
Expected<std::vector<NodeTag>> read_node_tags(std::string_view text, std::optional<char> first_of_plain,
                                              std::size_t max_nodes, std::uint32_t max_depth);

}  // namespace modelgate::yaml
