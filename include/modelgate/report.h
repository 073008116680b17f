#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelgate/finding.h"
#include "modelgate/status.h"

namespace modelgate {

// What a parser read about the model itself (config.json, GGUF metadata, a model card's front
// matter). Typed so that the BOM and the gate read the same facts; a field is empty when no parsed
// byte said it, never guessed from a file name.
struct ModelFacts {
  std::string license;  // as written by the file: an SPDX id or free text
};

// The verdict on one artifact (a file, an archive member, a nested pickle) and its parts.
struct ArtifactReport {
  std::string origin;  // origin chain
  std::string format;  // identified format, e.g. "pickle", "pytorch-zip", "directory"
  std::uint64_t size = 0;
  Status status = Status::safe;  // computed by finalize(): worst of findings and children
  std::vector<Finding> findings;
  std::vector<ArtifactReport> children;
  nlohmann::json facts = nlohmann::json::object();  // format facts not yet typed (issue 14)
  ModelFacts model;     // typed facts about the model, filled by the parser that read them
  std::string sha256;   // lowercase hex of the full content; empty when the scan did not hash it

  void add(Finding f) { findings.push_back(std::move(f)); }
  // Recomputes status bottom-up.
  void finalize();
  // Every finding in this report and its children, depth first.
  std::vector<const Finding*> all_findings() const;
};

}  // namespace modelgate
