#include "scan/walk_notes.h"

namespace modelgate {

void append_walk_notes(const std::vector<WalkNote>& notes, std::vector<ArtifactReport>& children) {
  for (const auto& n : notes) {
    ArtifactReport r;
    r.origin = n.finding.origin;
    r.format = n.format;
    r.add(n.finding);
    r.finalize();
    children.push_back(std::move(r));
  }
}

}  // namespace modelgate
