#pragma once
// An inventory's failure is a gate error (MG-GATE-ERROR): never an admission. Its origin is the
// store as shown (no password) when the message names it.
#include <string>
#include <utility>

#include "core/rule_id.h"
#include "modelgate/error.h"

namespace modelgate {

inline Error inventory_error(std::string reason, std::string store = {}) {
  return Error{0, std::move(reason), "MG-GATE-ERROR", std::move(store)};
}

}  // namespace modelgate
