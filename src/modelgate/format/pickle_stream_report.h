#pragma once
// Moves one analysed pickle stream into a report: the globals it imports and the callables it calls
// (ParsedFacts::pickle_imports, pickle_calls), its findings, and each nested payload it hands to a deserialiser as a child artifact scanned on
// its own. Shared by every container of pickles.
#include "pickle/machine.h"
#include "artifact/nested_scan.h"

namespace modelgate {

// Adds the imports and calls that a report of another stream of the same artifact recorded.
void add_pickle_names(const ParsedFacts& from, std::uint64_t max_listed, ArtifactReport& report);

void add_stream_to_report(pickle::StreamResult&& stream, const Artifact& artifact, NestedScan& ctx,
                          ArtifactReport& report);

}  // namespace modelgate
