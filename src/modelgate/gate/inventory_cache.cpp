#include "gate/inventory_cache.h"

#include "gate/stored_report.h"

namespace modelgate {

std::optional<ArtifactReport> InventoryCache::find(const ResultKey& key) {
  auto text = inventory_.find_report(key);
  if (!text) {
    error(text.error().message());
  } else if (*text) {
    auto report = decode_stored_report(**text, key);
    if (report) {
      ++hits_;
      return std::move(*report);
    }
    error("the inventory's report for sha256 " + key.sha256 + " (" + key.name + ") is unreadable: " +
          report.error().reason + "; the file was scanned again");
  }
  ++misses_;
  return std::nullopt;
}

void InventoryCache::store(const ResultKey& key, const ArtifactReport& report) {
  StoredResult row{key, report.format, std::string(to_string(report.status)), utc_timestamp()};
  if (auto r = inventory_.put_report(row, encode_stored_report(report)); !r) error(r.error().message());
}

std::vector<std::string> InventoryCache::errors() const {
  std::lock_guard lock(mutex_);
  return errors_;
}

void InventoryCache::error(std::string message) {
  std::lock_guard lock(mutex_);
  errors_.push_back(std::move(message));
}

}  // namespace modelgate
