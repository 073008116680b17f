// The YAML tag and key readers and the scanner of YAML with Python tags, through the scan as a file is scanned.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_context.h"
#include "readers/yaml_keys.h"
#include "readers/yaml_tags.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)modelgate::yaml::find_tags(text);
  (void)modelgate::yaml::hidden_keys(modelgate::yaml::normalise_line_breaks(text).text);
  auto report = modelgate::fuzz::default_policy_context().scan(modelgate::fuzz::artifact(data, size));
  (void)report;
  return 0;
}
