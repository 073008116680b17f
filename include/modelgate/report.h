#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelgate/finding.h"
#include "modelgate/status.h"

namespace modelgate {

// The verdict on one artifact (a file, an archive member, a nested pickle) and its parts.
struct ArtifactReport {
  std::string origin;  // origin chain
  std::string format;  // identified format, e.g. "pickle", "pytorch-zip", "directory"
  std::uint64_t size = 0;
  Status status = Status::safe;  // computed by finalize(): worst of findings and children
  std::vector<Finding> findings;
  std::vector<ArtifactReport> children;
  nlohmann::json facts = nlohmann::json::object();  // format facts kept for BOM and convert

  void add(Finding f) { findings.push_back(std::move(f)); }
  // Recomputes status bottom-up.
  void finalize();
  // Every finding in this report and its children, depth first.
  std::vector<const Finding*> all_findings() const;
};

}  // namespace modelgate
