#pragma once
// A YAML configuration (Hydra, OmegaConf/latent-diffusion, mmengine, LightningCLI) read as its
// loader reads it (readers/yaml_document.h) and put through the same checks as a JSON configuration's
// loader routes and the latent-diffusion targets. The text searches of loader_routes.h and
// ldm_config.h run too and err towards reporting; this reading adds what they cannot see (a value on
// the lines after its key, block and folded scalars, merges), and a finding both make is kept once.
#include <string>
#include <string_view>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

void analyse_yaml_config(std::string_view text, std::string_view file_name, const std::string& origin,
                         const Limits& limits, ArtifactReport& report);

}  // namespace modelgate
