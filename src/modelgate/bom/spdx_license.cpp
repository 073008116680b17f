#include "bom/spdx_license.h"

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace modelgate::bom {

std::string_view embedded_spdx_schema();  // generated from data/cyclonedx/spdx.schema.json

namespace {

std::string lowercase_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Lowercased identifier -> the list's spelling. The schema is part of the binary; a schema without
// the enum is a build defect, so this throws (once, at first use).
const std::map<std::string, std::string>& spdx_ids() {
  static const std::map<std::string, std::string> ids = [] {
    auto schema = nlohmann::json::parse(embedded_spdx_schema());
    std::map<std::string, std::string> out;
    for (const auto& id : schema.at("enum")) out.emplace(lowercase_ascii(id.get<std::string>()), id.get<std::string>());
    return out;
  }();
  return ids;
}

}  // namespace

std::optional<std::string_view> spdx_license_id(std::string_view text) {
  auto it = spdx_ids().find(lowercase_ascii(text));
  if (it == spdx_ids().end()) return std::nullopt;
  return it->second;
}

}  // namespace modelgate::bom
