#pragma once
// The readings loaders take by file name, added to the content reading (DESIGN.md, "Content, and
// the names loaders use"): content identification stops renaming tricks, name readings stop
// kind-confusion tricks. A `*.py` file is imported as Python whatever it looks like; a file with a
// configuration name (config.json, modules.json, model_index.json, ...) is parsed as JSON by its
// loader whatever the content sniffer called it; YAML configurations are read by Hydra/OmegaConf.
// Readings only add findings; the content reading stays.
#include "identify/identify.h"
#include "scan/scan_context.h"

namespace modelgate {

void add_name_readings(const Artifact& artifact, Format content, ScanContext& ctx, ArtifactReport& report);

}  // namespace modelgate
