// The YAML readers (tags, hidden keys, the libyaml document and node-tag readings, HyperPyYAML tags) and the scanner of YAML with
// Python tags, through the scan as a file is scanned and as a configuration read by its name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_context.h"
#include "hf/yaml_config.h"
#include "readers/yaml_document.h"
#include "readers/yaml_keys.h"
#include "readers/yaml_tags.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)modelgate::yaml::find_tags(text);
  (void)modelgate::yaml::hidden_keys(modelgate::yaml::normalise_line_breaks(text).text);
  (void)modelgate::yaml::read_documents(text, modelgate::Limits{}.max_json_depth);
  (void)modelgate::yaml::read_node_tags(text, '(', 1000, modelgate::Limits{}.max_json_depth);
  modelgate::ArtifactReport config;
  modelgate::analyse_yaml_config(text, "config.yaml", "fuzz", modelgate::Limits{}, config);
  auto report = modelgate::fuzz::default_policy_context().scan(modelgate::fuzz::artifact(data, size));
  (void)report;
  return 0;
}
