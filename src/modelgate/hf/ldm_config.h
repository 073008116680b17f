#pragma once
// Latent-diffusion configurations (OmegaConf YAML such as Stable Diffusion's v1-inference.yaml and
// the *.yaml beside single-file checkpoints): every mapping with a `target` key is handed to
// ldm.util / sgm.util instantiate_from_config, which imports the dotted path and calls it with
// `params`. Targets outside the classes the published SD 1.x/2.x/XL inference configs use are
// MG-LDM-TARGET (unverified); docs/repositories.md cites the configs the list comes from.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

void analyse_ldm_targets(std::string_view text, const std::string& origin, const Limits& limits,
                         ArtifactReport& report);

// The same checks on a document already read (every `target` and path parameter, wherever it is).
void analyse_ldm_document(const nlohmann::json& doc, const std::string& origin, ArtifactReport& report);

}  // namespace modelgate
