#pragma once
// What the inventory needs from a database: run one statement with text parameters ($1, $2, ... in
// order of appearance) and get text rows. SQLite and PostgreSQL each implement it; the inventory's
// SQL and logic exist once (sql_inventory.cpp).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.h"
#include "modelgate/inventory.h"

namespace modelgate {

using SqlRow = std::vector<std::string>;
using SqlParams = std::vector<std::string>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Expected<std::vector<SqlRow>> run(const std::string& sql, const SqlParams& params) = 0;
  // Starts a write transaction that holds its lock from the start (SQLite: BEGIN IMMEDIATE).
  virtual const char* begin_write() const = 0;
  // The type of an auto-assigned 64-bit key column.
  virtual const char* id_column() const = 0;
  // Serialises schema creation between processes (PostgreSQL: an advisory lock), inside a transaction.
  virtual const char* schema_lock() const = 0;
  virtual std::string display_uri() const = 0;
};

// Creates the tables when missing.
Expected<std::unique_ptr<Inventory>> make_sql_inventory(std::unique_ptr<SqlConnection> connection);

Expected<std::unique_ptr<SqlConnection>> connect_sqlite(const std::string& path);
Expected<std::unique_ptr<SqlConnection>> connect_postgres(const std::string& uri);

}  // namespace modelgate
