#include <mutex>

#include "gate/inventory_error.h"
#include "gate/sql_connection.h"

namespace modelgate {

namespace {

// Each statement in parentheses: one array element per statement, however many literals it spans.
const char* const kSchema[] = {
    ("CREATE TABLE IF NOT EXISTS results ("
     " sha256 TEXT NOT NULL, size BIGINT NOT NULL, version TEXT NOT NULL, ruleset TEXT NOT NULL, name TEXT NOT NULL,"
     " format TEXT NOT NULL, status TEXT NOT NULL, report TEXT NOT NULL, recorded_at TEXT NOT NULL,"
     " PRIMARY KEY (sha256, size, version, ruleset, name))"),
    ("CREATE TABLE IF NOT EXISTS decisions ("
     " id @ID@, recorded_at TEXT NOT NULL, decision TEXT NOT NULL, mode TEXT NOT NULL,"
     " would_deny INTEGER NOT NULL, policy_sha256 TEXT NOT NULL, paths TEXT NOT NULL, rules TEXT NOT NULL)"),
    ("CREATE TABLE IF NOT EXISTS decision_files ("
     " decision_id BIGINT NOT NULL REFERENCES decisions (id), sha256 TEXT NOT NULL, origin TEXT NOT NULL)"),
    "CREATE INDEX IF NOT EXISTS decision_files_by_sha256 ON decision_files (sha256)",
};

constexpr const char* kFindReport =
    "SELECT report FROM results WHERE sha256 = $1 AND size = $2 AND version = $3 AND ruleset = $4 AND name = $5";
// A row that was unreadable is replaced by the fresh verdict.
constexpr const char* kUpsertResult =
    "INSERT INTO results (sha256, size, version, ruleset, name, format, status, report, recorded_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT (sha256, size, version, ruleset, name) DO UPDATE SET format = excluded.format,"
    " status = excluded.status, report = excluded.report, recorded_at = excluded.recorded_at";
constexpr const char* kInsertDecision =
    "INSERT INTO decisions (recorded_at, decision, mode, would_deny, policy_sha256, paths, rules)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
constexpr const char* kInsertDecisionFile = "INSERT INTO decision_files (decision_id, sha256, origin) VALUES ($1, $2, $3)";
constexpr const char* kResultColumns = "SELECT sha256, size, version, ruleset, name, format, status, recorded_at FROM results";
constexpr const char* kDecisionColumns =
    "SELECT id, recorded_at, decision, mode, would_deny, policy_sha256, paths, rules FROM decisions";

class SqlInventory final : public Inventory {
 public:
  explicit SqlInventory(std::unique_ptr<SqlConnection> c) : db_(std::move(c)) {}

  Expected<Done> create_schema() {
    std::lock_guard lock(mutex_);
    return in_transaction([&]() -> Expected<Done> {
      if (*db_->schema_lock() != '\0')
        if (auto r = db_->run(db_->schema_lock(), {}); !r) return r.error();
      for (std::string sql : kSchema) {
        if (auto at = sql.find("@ID@"); at != std::string::npos) sql.replace(at, 4, db_->id_column());
        if (auto r = db_->run(sql, {}); !r) return r.error();
      }
      return Done{};
    });
  }

  Expected<std::optional<std::string>> find_report(const ResultKey& key) override {
    std::lock_guard lock(mutex_);
    auto rows = db_->run(kFindReport, {key.sha256, std::to_string(key.size), key.version, key.ruleset, key.name});
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<std::string>();
    return std::optional<std::string>((*rows)[0].at(0));
  }

  Expected<Done> put_report(const StoredResult& row, const std::string& report) override {
    std::lock_guard lock(mutex_);
    const ResultKey& k = row.key;
    auto r = db_->run(kUpsertResult, {k.sha256, std::to_string(k.size), k.version, k.ruleset, k.name, row.format,
                                      row.status, report, row.recorded_at});
    if (!r) return r.error();
    return Done{};
  }

  Expected<Done> record_decision(const DecisionRecord& d) override {
    std::lock_guard lock(mutex_);
    return in_transaction([&]() -> Expected<Done> {
      auto id = db_->run(kInsertDecision, {d.recorded_at, d.decision, d.mode, d.would_deny ? "1" : "0", d.policy_sha256,
                                           d.paths, d.rules});
      if (!id) return id.error();
      if (id->size() != 1 || id->front().size() != 1) return inventory_error("the store returned no decision id");
      for (const auto& f : d.files)
        if (auto r = db_->run(kInsertDecisionFile, {id->front()[0], f.sha256, f.origin}); !r) return r.error();
      return Done{};
    });
  }

  Expected<std::vector<StoredResult>> results(const std::string& sha256) override {
    std::lock_guard lock(mutex_);
    std::string sql = std::string(kResultColumns) + (sha256.empty() ? "" : " WHERE sha256 = $1") +
                      " ORDER BY recorded_at, sha256, name";
    auto rows = db_->run(sql, sha256.empty() ? SqlParams{} : SqlParams{sha256});
    if (!rows) return rows.error();
    std::vector<StoredResult> out;
    for (const auto& r : *rows) {
      if (r.size() != 8) return inventory_error("unexpected columns in results");
      StoredResult s;
      s.key = {r[0], std::strtoull(r[1].c_str(), nullptr, 10), r[2], r[3], r[4]};
      s.format = r[5];
      s.status = r[6];
      s.recorded_at = r[7];
      out.push_back(std::move(s));
    }
    return out;
  }

  Expected<std::vector<DecisionRecord>> decisions(const std::string& sha256) override {
    std::lock_guard lock(mutex_);
    std::string sql = std::string(kDecisionColumns) +
                      (sha256.empty() ? "" : " WHERE id IN (SELECT decision_id FROM decision_files WHERE sha256 = $1)") +
                      " ORDER BY id DESC";
    auto rows = db_->run(sql, sha256.empty() ? SqlParams{} : SqlParams{sha256});
    if (!rows) return rows.error();
    std::vector<DecisionRecord> out;
    for (const auto& r : *rows) {
      if (r.size() != 8) return inventory_error("unexpected columns in decisions");
      DecisionRecord d;
      d.id = std::strtoll(r[0].c_str(), nullptr, 10);
      d.recorded_at = r[1];
      d.decision = r[2];
      d.mode = r[3];
      d.would_deny = r[4] == "1";
      d.policy_sha256 = r[5];
      d.paths = r[6];
      d.rules = r[7];
      auto files = db_->run("SELECT sha256, origin FROM decision_files WHERE decision_id = $1 ORDER BY origin", {r[0]});
      if (!files) return files.error();
      for (const auto& f : *files)
        if (f.size() == 2) d.files.push_back({f[0], f[1]});
      out.push_back(std::move(d));
    }
    return out;
  }

  std::string display_uri() const override { return db_->display_uri(); }

 private:
  // Runs `body` in one write transaction: committed when it succeeds, rolled back otherwise, so a
  // failure (or a killed process, which the database rolls back) leaves no partial write.
  template <class Body>
  Expected<Done> in_transaction(Body body) {
    if (auto r = db_->run(db_->begin_write(), {}); !r) return r.error();
    auto result = body();
    if (!result) {
      (void)db_->run("ROLLBACK", {});
      return result;
    }
    if (auto r = db_->run("COMMIT", {}); !r) {
      (void)db_->run("ROLLBACK", {});
      return r.error();
    }
    return Done{};
  }

  std::mutex mutex_;  // one connection, shared by the scan's threads
  std::unique_ptr<SqlConnection> db_;
};

}  // namespace

Expected<std::unique_ptr<Inventory>> make_sql_inventory(std::unique_ptr<SqlConnection> connection) {
  auto inventory = std::make_unique<SqlInventory>(std::move(connection));
  if (auto r = inventory->create_schema(); !r) return r.error();
  return std::unique_ptr<Inventory>(std::move(inventory));
}

}  // namespace modelgate
