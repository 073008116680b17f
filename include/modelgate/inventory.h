#pragma once
// The gate's inventory (docs/gate.md): verdicts by content and every admission decision, in SQLite (one file, WAL, busy
// timeout) or PostgreSQL (libpq, one transaction per write). Both backends implement this interface
// and pass the same test suite (tests/inventory_test.cpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modelgate/error.h"
#include "modelgate/expected.h"
#include "modelgate/result_cache.h"

namespace modelgate {

struct Done {};

struct StoredResult {
  ResultKey key;
  std::string format, status, recorded_at;
};

struct DecisionFile {
  std::string sha256;
  std::string origin;
};

struct DecisionRecord {
  std::int64_t id = 0;      // assigned by the store
  std::string recorded_at;  // UTC, ISO 8601
  std::string decision, mode;
  bool would_deny = false;
  std::string policy_sha256;
  std::string paths;  // JSON array of the PATHs given
  std::string rules;  // JSON array of the decision's rules
  std::vector<DecisionFile> files;
};

class Inventory {
 public:
  virtual ~Inventory() = default;
  // The stored report text for exactly `key`, nothing when there is none.
  virtual ValueOr<std::optional<std::string>, Error> find_report(const ResultKey& key) = 0;
  // Inserts or replaces (a replaced row was unreadable) the report under `key`.
  virtual ValueOr<Done, Error> put_report(const StoredResult& row, const std::string& report) = 0;
  // One transaction: the decision and the files it judged.
  virtual ValueOr<Done, Error> record_decision(const DecisionRecord& record) = 0;
  // Every stored result, or those of one content hash.
  virtual ValueOr<std::vector<StoredResult>, Error> results(const std::string& sha256) = 0;
  // Every decision (newest first), or those that judged one content hash.
  virtual ValueOr<std::vector<DecisionRecord>, Error> decisions(const std::string& sha256) = 0;
  // The URI without credentials, for the decision and messages.
  virtual std::string display_uri() const = 0;
};

// "sqlite:PATH", "postgresql://..." / "postgres://...", or a bare PATH (SQLite).
ValueOr<std::unique_ptr<Inventory>, Error> open_inventory(const std::string& uri);
ValueOr<std::unique_ptr<Inventory>, Error> open_sqlite_inventory(const std::string& path);
ValueOr<std::unique_ptr<Inventory>, Error> open_postgres_inventory(const std::string& uri);

// The current time, UTC, as the inventory records it (2026-01-31T12:00:00Z).
std::string utc_timestamp();

// JSON for `modelgate inventory --format json` (any byte string in a name is written escaped).
std::string stored_results_json(const std::vector<StoredResult>& rows);
std::string decision_records_json(const std::vector<DecisionRecord>& rows);
// {"results": [...], "decisions": [...]} for `inventory show`.
std::string content_history_json(const std::vector<StoredResult>& rows, const std::vector<DecisionRecord>& decisions);

}  // namespace modelgate
