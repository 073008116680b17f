#pragma once
// The inventory seen by the scanner (modelgate/result_cache.h): counts hits and misses, and turns
// every store failure or unreadable row into an error of the admission (the file is scanned anyway).
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "modelgate/inventory.h"
#include "modelgate/result_cache.h"

namespace modelgate {

class InventoryCache final : public ResultCache {
 public:
  explicit InventoryCache(Inventory& inventory) : inventory_(inventory) {}

  std::optional<ArtifactReport> find(const ResultKey& key) override;
  void store(const ResultKey& key, const ArtifactReport& report) override;

  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }
  std::vector<std::string> errors() const;

 private:
  void error(std::string message);

  Inventory& inventory_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> errors_;
};

}  // namespace modelgate
