#pragma once
// The tags of a YAML text, resolved as PyYAML resolves them: `%TAG` directives, the `!!` and `!`
// handles, verbatim `!<...>` tags and %-escapes in the suffix. PyYAML's full and unsafe loaders (and
// detectron2, fvcore and OpenMMLab, which use them) construct Python objects for the tags under
// `tag:yaml.org,2002:python/`: `python/object/apply:os.system` calls os.system on load.
//
// This is not a YAML parser: it finds every tag token outside quoted scalars and comments, so a
// tag inside a block scalar's text is found too (a false alarm, never a miss). libyaml's reading of
// the same tags is read_node_tags (readers/yaml_document.h); HyperPyYAML's local tags
// (hf/hyperpyyaml.h) are taken from both, so a tag either reading misses is still seen.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace modelgate::yaml {

inline constexpr std::string_view kPythonTagPrefix = "tag:yaml.org,2002:python/";

struct Tag {
  std::uint64_t offset = 0;  // of the tag's '!'
  std::string resolved;      // the full tag, handle expanded and %-escapes decoded
};

// Every tag of `text`, in order.
std::vector<Tag> find_tags(std::string_view text);

// The tags under kPythonTagPrefix.
std::vector<Tag> python_tags(std::string_view text);

// Content probe: text with at least one Python tag.
bool has_python_tags(std::string_view text);

}  // namespace modelgate::yaml
