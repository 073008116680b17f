// The Keras configuration analysis (config.json, model_config, SavedModel layer metadata).
#include <string_view>

#include "format/keras_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  modelgate::ArtifactReport report;
  modelgate::analyse_keras_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", modelgate::Limits{}, report);
  report.finalize();
  return 0;
}
