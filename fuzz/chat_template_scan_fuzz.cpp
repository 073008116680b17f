// Chat templates end to end, through identification and the scanners that find them: a standalone
// chat_template.jinja, tokenizer_config.json with the template as a string and in the named-list
// form, and chat_template.json, each scanned as the CLI scans a file.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_context.h"

namespace {

void scan_as(const std::string& bytes, const char* name) {
  using namespace modelgate;
  Artifact a = fuzz::artifact(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  a.name = name;
  a.origin = name;
  (void)fuzz::default_policy_context().scan(a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  scan_as(text, "chat_template.jinja");
  // JSON carries any text: invalid UTF-8 is replaced, as a writer of the file would have to.
  std::string quoted = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  scan_as("{\"chat_template\": " + quoted + ", \"bos_token\": \"<s>\"}", "tokenizer_config.json");
  scan_as("{\"chat_template\": [{\"name\": \"default\", \"template\": " + quoted +
              "}, {\"name\": \"tool_use\", \"template\": " + quoted + "}]}",
          "tokenizer_config.json");
  scan_as("{\"chat_template\": " + quoted + "}", "chat_template.json");
  return 0;
}
