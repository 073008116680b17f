#pragma once
// How a file was parsed: in the scanning process, or in a confined parse worker, and which layers
// of confinement were on.
#include <string>
#include <vector>

namespace modelgate {

// Where files are parsed (docs/sandbox.md): in confined worker processes, refusing to scan when a
// confinement layer is unavailable (strict) or recording the missing layers in every report
// (best_effort); or in the scanning process itself (off).
enum class SandboxMode { off, best_effort, strict };

// How the files of a scan were parsed: in this process (off), or the confinement of the parse
// workers. Rendered in the JSON and SARIF reports, and under every confined report's facts.
struct SandboxLayers {
  SandboxMode mode = SandboxMode::off;
  // The rest only with workers (mode is not off):
  std::vector<std::string> layers;   // applied, in the order applied (no-new-privs, rlimits, ...)
  std::vector<std::string> missing;  // "layer: why"
  int landlock_abi = 0;              // the ABI the Landlock ruleset was built for; 0 when not applied
  std::string memory_limit;          // "RLIMIT_DATA <n> bytes", or "off: " and why

  friend bool operator==(const SandboxLayers&, const SandboxLayers&) = default;
};

}  // namespace modelgate
