// The embedded inventory: one SQLite file in WAL mode, so that readers never block the writer and
// several admit processes take turns (busy timeout) instead of failing or losing rows.
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "gate/inventory_error.h"
#include "gate/sql_connection.h"

namespace modelgate {

namespace {

constexpr int kBusyTimeoutMs = 60'000;

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  Expected<std::vector<SqlRow>> run(const std::string& sql, const SqlParams& params) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK) return failure();
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    if (sqlite3_bind_parameter_count(raw) != static_cast<int>(params.size()))
      return inventory_error("internal: parameter count mismatch in " + sql);
    for (std::size_t i = 0; i < params.size(); ++i)
      if (sqlite3_bind_text64(raw, static_cast<int>(i + 1), params[i].data(), params[i].size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8) != SQLITE_OK)
        return failure();
    std::vector<SqlRow> rows;
    for (;;) {
      int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return failure();
      SqlRow row;
      for (int c = 0; c < sqlite3_column_count(raw); ++c) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
        row.emplace_back(text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(raw, c))) : std::string());
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  const char* begin_write() const override { return "BEGIN IMMEDIATE"; }
  const char* id_column() const override { return "INTEGER PRIMARY KEY AUTOINCREMENT"; }
  const char* schema_lock() const override { return ""; }  // BEGIN IMMEDIATE already excludes other writers
  std::string display_uri() const override { return "sqlite:" + path_; }

 private:
  Error failure() const { return inventory_error(sqlite3_errmsg(db_), display_uri()); }

  sqlite3* db_;
  std::string path_;
};

}  // namespace

Expected<std::unique_ptr<SqlConnection>> connect_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  // No link is followed to the database: the store is the file the user named.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  auto connection = std::make_unique<SqliteConnection>(db, path);
  if (rc != SQLITE_OK)
    return inventory_error(std::string("cannot open: ") + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)), "sqlite:" + path);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // Putting a new store in WAL mode upgrades a read lock to an exclusive one. While other processes
  // open the same new store, SQLite answers SQLITE_BUSY at once instead of waiting in the busy
  // handler (an upgrade that could deadlock never waits), so a pragma is run again until the busy
  // timeout has passed.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
    int pragma_rc;
    while (((pragma_rc = sqlite3_exec(db, pragma, nullptr, nullptr, nullptr)) & 0xff) == SQLITE_BUSY &&
           std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (pragma_rc != SQLITE_OK) return inventory_error(sqlite3_errmsg(db), "sqlite:" + path);
  }
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

Expected<std::unique_ptr<Inventory>> open_sqlite_inventory(const std::string& path) {
  auto connection = connect_sqlite(path);
  if (!connection) return connection.error();
  return make_sql_inventory(std::move(*connection));
}

}  // namespace modelgate
