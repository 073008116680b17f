#include "modelgate/report.h"

namespace modelgate {

void ArtifactReport::finalize() {
  Status s = Status::safe;
  for (const auto& f : findings) s = worse(s, f.status);
  for (auto& c : children) {
    c.finalize();
    s = worse(s, c.status);
  }
  status = s;
}

static void collect(const ArtifactReport& r, std::vector<const Finding*>& out) {
  for (const auto& f : r.findings) out.push_back(&f);
  for (const auto& c : r.children) collect(c, out);
}

std::vector<const Finding*> ArtifactReport::all_findings() const {
  std::vector<const Finding*> out;
  collect(*this, out);
  return out;
}

}  // namespace modelgate
