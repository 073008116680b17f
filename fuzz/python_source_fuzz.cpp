// Python lexer and lexical safety pass, the model-card front-matter reader, and YAML configs
// (the same subset as a whole document, latent-diffusion targets and their text fallback).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hf/front_matter.h"
#include "hf/ldm_config.h"
#include "hf/python_lexer.h"
#include "hf/python_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const modelgate::Limits limits;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)modelgate::python::looks_like_python(text);
  modelgate::ArtifactReport report;
  modelgate::analyse_python_source(text, "fuzz.py", limits, report);
  if (modelgate::has_front_matter(text)) (void)modelgate::parse_front_matter(text, modelgate::Limits{});
  std::string card = "---\n" + std::string(text) + "\n---\n";
  (void)modelgate::parse_front_matter(card, modelgate::Limits{});
  modelgate::ArtifactReport yaml;
  modelgate::analyse_ldm_targets(text, "fuzz.yaml", limits, yaml);
  return 0;
}
