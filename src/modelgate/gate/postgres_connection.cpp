// The shared inventory: PostgreSQL through libpq. Every write is one transaction, so concurrent
// admits lose no rows and a killed client leaves nothing half-written (the server rolls it back).
#include <libpq-fe.h>

#include <regex>

#include "core/lazy_library.h"
#include "gate/inventory_error.h"
#include "gate/sql_connection.h"

namespace modelgate {

namespace {

// libpq, loaded the first time a PostgreSQL inventory is opened (core/lazy_library.h): only that
// needs it, and every other command would pay for loading it and the libraries it pulls in.
#define MODELGATE_LIBPQ_FUNCTIONS(X)                                                                          \
  X(PQconnectdbParams) X(PQstatus) X(PQerrorMessage) X(PQfinish) X(PQexecParams) X(PQresultStatus)          \
  X(PQresultErrorMessage) X(PQclear) X(PQntuples) X(PQnfields) X(PQgetvalue) X(PQgetlength)

struct LibPq {
  MODELGATE_LIBPQ_FUNCTIONS(MODELGATE_LIBRARY_FUNCTION)
};

std::optional<Error> bind_libpq(void* handle, LibPq& table) {
  MODELGATE_LIBPQ_FUNCTIONS(MODELGATE_BIND_LIBRARY_FUNCTION)
  return std::nullopt;
}

constinit LibraryTable<LibPq> libpq_table(MODELGATE_LIBPQ_SONAME, bind_libpq);

// The URI as shown in decisions and messages: no password.
std::string without_password(const std::string& uri) {
  static const std::regex user_password("^(postgres(?:ql)?://[^:/@?]*):[^@/?]*@");
  static const std::regex password_parameter("([?&]password=)[^&]*");
  std::string shown = std::regex_replace(uri, user_password, "$1@");
  return std::regex_replace(shown, password_parameter, "$1***");
}

// libpq's messages end with a newline.
std::string trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

class PostgresConnection final : public SqlConnection {
 public:
  PostgresConnection(const LibPq& pq, PGconn* conn, std::string shown) : pq_(pq), conn_(conn), shown_(std::move(shown)) {}
  ~PostgresConnection() override { pq_.PQfinish(conn_); }

  Expected<std::vector<SqlRow>> run(const std::string& sql, const SqlParams& params) override {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& p : params) {
      values.push_back(p.c_str());
      lengths.push_back(static_cast<int>(p.size()));
    }
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(
        pq_.PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), lengths.data(), nullptr, 0),
        pq_.PQclear);
    ExecStatusType status = result ? pq_.PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      return inventory_error(trimmed(result ? pq_.PQresultErrorMessage(result.get()) : pq_.PQerrorMessage(conn_)), shown_);
    std::vector<SqlRow> rows;
    for (int r = 0; r < pq_.PQntuples(result.get()); ++r) {
      SqlRow row;
      for (int c = 0; c < pq_.PQnfields(result.get()); ++c)
        row.emplace_back(pq_.PQgetvalue(result.get(), r, c), static_cast<std::size_t>(pq_.PQgetlength(result.get(), r, c)));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  const char* begin_write() const override { return "BEGIN"; }
  const char* id_column() const override { return "BIGSERIAL PRIMARY KEY"; }
  // CREATE TABLE IF NOT EXISTS races with itself across sessions in PostgreSQL; one creator at a time.
  const char* schema_lock() const override { return "SELECT pg_advisory_xact_lock(5125801652)"; }
  std::string display_uri() const override { return shown_; }

 private:
  const LibPq& pq_;
  PGconn* conn_;
  std::string shown_;
};

}  // namespace

Expected<std::unique_ptr<SqlConnection>> connect_postgres(const std::string& uri) {
  // A timeout that the URI's own connect_timeout overrides: an unreachable server is an error, not a hang.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", uri.c_str(), nullptr};
  std::string shown = without_password(uri);
  auto library = libpq_table.get();
  if (!library) return inventory_error("cannot connect: " + library.error().message(), shown);
  const LibPq* pq = *library;
  PGconn* conn = pq->PQconnectdbParams(keywords, values, 1);
  auto connection = std::make_unique<PostgresConnection>(*pq, conn, shown);
  if (conn == nullptr || pq->PQstatus(conn) != CONNECTION_OK)
    return inventory_error("cannot connect: " + trimmed(conn ? pq->PQerrorMessage(conn) : "out of memory"), shown);
  if (auto r = connection->run("SET client_min_messages = warning", {}); !r) return r.error();
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

Expected<std::unique_ptr<Inventory>> open_postgres_inventory(const std::string& uri) {
  auto connection = connect_postgres(uri);
  if (!connection) return connection.error();
  return make_sql_inventory(std::move(*connection));
}

}  // namespace modelgate
