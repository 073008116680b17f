#include "format/pickle_stream_report.h"

namespace modelgate {

void add_stream_to_report(pickle::StreamResult&& stream, const Artifact& artifact, NestedScan& ctx,
                          ArtifactReport& report) {
  for (auto& f : stream.findings) report.add(std::move(f));
  for (auto& p : stream.nested) {
    Artifact child;
    child.origin = artifact.origin + "@" + std::to_string(p.offset) + "!/" + p.via;
    child.bytes = p.bytes->bytes();
    child.owner = p.bytes;
    child.name = p.via;
    child.depth = artifact.depth + 1;
    child.budget = artifact.budget;
    report.children.push_back(ctx.scan(child));
  }
}

}  // namespace modelgate
