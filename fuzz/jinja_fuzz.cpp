// Jinja lexer, parser, constant folding and analysis on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "template/chat_template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const modelgate::Limits limits;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto report = modelgate::chat_template_report(text, "fuzz.jinja", limits);
  (void)report;
  return 0;
}
