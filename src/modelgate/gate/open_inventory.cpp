#include <ctime>

#include "core/expected.h"
#include "gate/inventory_error.h"
#include "modelgate/inventory.h"

namespace modelgate {

Expected<std::unique_ptr<Inventory>> open_inventory(const std::string& uri) {
  if (uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0) return open_postgres_inventory(uri);
  std::string path = uri.rfind("sqlite:", 0) == 0 ? uri.substr(7) : uri;
  if (path.empty()) return inventory_error("--store sqlite: needs a file path");
  return open_sqlite_inventory(path);
}

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace modelgate
