#pragma once
// Walk notes (entries not scanned as files) as artifacts of their own, so that a directory's
// verdict and the artifact count include every entry.
#include <vector>

#include "modelgate/report.h"
#include "walk/walk.h"

namespace modelgate {

void append_walk_notes(const std::vector<WalkNote>& notes, std::vector<ArtifactReport>& children);

}  // namespace modelgate
