#pragma once
// The hook through which a scan reuses verdicts already reached on the same bytes (the gate's
// inventory implements it). The scanner keys every file by the SHA-256 of its full content, its
// size, modelgate's version, the digest of everything that decides a verdict (rules, allowlists,
// limits) and the file name loaders see (some readings depend on it: config.json, *.py). Never by a
// partial hash, never by path or modification time.
#include <cstdint>
#include <optional>
#include <string>

#include "modelgate/report.h"

namespace modelgate {

struct ResultKey {
  std::string sha256;   // lowercase hex of the full content
  std::uint64_t size = 0;
  std::string version;  // modelgate's
  std::string ruleset;  // ruleset_sha256() of the scan's options
  std::string name;     // the file name loaders see
};

class ResultCache {
 public:
  virtual ~ResultCache() = default;
  // The report stored under exactly `key`, its origins relative to the file (the file itself is
  // ""). Nothing when there is none, or when the stored row cannot be trusted (the implementation
  // records that as an error; the file is then scanned). Called from several threads at once.
  virtual std::optional<ArtifactReport> find(const ResultKey& key) = 0;
  // Records a fresh verdict (origins relative to the file, as above).
  virtual void store(const ResultKey& key, const ArtifactReport& report) = 0;
};

}  // namespace modelgate
