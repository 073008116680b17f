#pragma once
// Moves one analysed pickle stream into a report: its findings, and each nested payload it hands
// to a deserialiser as a child artifact scanned on its own. Shared by every container of pickles.
#include "pickle/machine.h"
#include "artifact/nested_scan.h"

namespace modelgate {

void add_stream_to_report(pickle::StreamResult&& stream, const Artifact& artifact, NestedScan& ctx,
                          ArtifactReport& report);

}  // namespace modelgate
