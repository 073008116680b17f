// Strict JSON reader (full and shallow, with template-like strings collected), classification,
// remote-code and chat-template extraction, Jinja in values, loader routes (fiddle pyrefs), base64 as
// Python decodes it, as run on configuration files.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/python_base64.h"
#include "hf/chat_template_source.h"
#include "hf/loader_routes.h"
#include "hf/json_kind.h"
#include "hf/remote_code.h"
#include "core/strict_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const modelgate::Limits limits;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)modelgate::looks_like_json(text);
  (void)modelgate::python_b64decode(text, 1u << 16);  // Stable-Baselines3 :serialized: values
  for (std::size_t full : {std::size_t{1} << 20, std::size_t{0}}) {
    modelgate::JsonReadOptions o;
    o.full_dom_bytes = full;
    o.deep_keys = {"chat_template", "auto_map"};
    o.max_template_like_strings = 8;  // collected from the parts a shallow read leaves out
    auto doc = modelgate::read_strict_json(text, o);
    if (!doc) continue;
    modelgate::ArtifactReport report;
    report.origin = "fuzz.json";
    (void)modelgate::classify_json(doc->value);
    modelgate::analyse_remote_code(doc->value, report.origin, report);
    modelgate::extract_chat_templates(doc->value, report.origin, limits, report);
    modelgate::check_config_values_for_jinja(doc->value, report.origin, limits, report);
    modelgate::analyse_loader_routes(doc->value, "io.json", report.origin, report);  // fiddle pyrefs and the rest
    report.finalize();
  }
  return 0;
}
