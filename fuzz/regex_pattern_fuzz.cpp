// tokenizer.json Regex patterns: the Oniguruma-syntax reader and the backtracking analysis, at a
// small work limit (the analysis must stop there on any pattern, however built).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "regex/backtracking_cost.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = modelgate::regex::parse_pattern(text);
  if (parsed) (void)modelgate::regex::backtracking_cost(*parsed, 200'000);
  return 0;
}
