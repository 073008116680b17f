#pragma once
// Optional members of the JSON documents signing reads (bundles, trusted roots): protobuf JSON
// omits unset fields or writes them as null, and both mean "absent".
#include <nlohmann/json.hpp>

namespace modelgate::sign {

inline const nlohmann::json* json_member(const nlohmann::json* obj, const char* key) {
  if (obj == nullptr || !obj->is_object()) return nullptr;
  auto it = obj->find(key);
  return it == obj->end() || it->is_null() ? nullptr : &*it;
}

}  // namespace modelgate::sign
