#pragma once
// A file's report stored by content must not carry the path it was first seen under: origins are
// stored relative to the file ("" for the file itself, "!/member" for its parts) and given the
// path of the file that reuses them.
#include <string>

#include "modelgate/report.h"

namespace modelgate {

// False (and `report` partly rewritten) when some origin does not start with `origin`.
bool make_origins_relative(ArtifactReport& report, const std::string& origin);
void prefix_origins(ArtifactReport& report, const std::string& origin);

}  // namespace modelgate
