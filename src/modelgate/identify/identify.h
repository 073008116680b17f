#pragma once
// Content sniffing: the single entry point that decides which scanner reads an artifact, by the
// probes of format_list.inc in its order. Extensions are never consulted.
#include "core/bytes.h"

namespace modelgate {

// One per line of format_list.inc, in its order.
enum class Format {
#define MG_FORMAT(id, name, probe, scanner, component) id,
#define MG_PROBE(id, probe)
#include "identify/format_list.inc"
#undef MG_FORMAT
#undef MG_PROBE
};

struct Artifact;

Format identify(ByteView bytes);
Format identify(const Artifact& artifact);  // shares the artifact's pickle probe

}  // namespace modelgate
