#include "pickle/definition_catalog.h"

#include "pickle/embedded_profiles.h"

namespace modelgate::pickle {

const DefinitionCatalog& DefinitionCatalog::builtin() {
  static const DefinitionCatalog c = [] {
    DefinitionCatalog out;
    for (const auto& p : embedded_profiles()) {
      if (p.name.substr(0, 8) != "defined-") continue;
      std::unordered_map<std::string, std::string>* current = nullptr;
      for_each_profile_line(p.text, [&](std::string_view line) {
        if (line.substr(0, 6) == "@root ") {
          out.roots_.emplace_back(trim_profile_text(line.substr(6)));
        } else if (line.front() == '[' && line.back() == ']') {
          current = &out.modules_[std::string(line.substr(1, line.size() - 2))];
        } else if (current != nullptr) {
          auto eq = line.find('=');
          if (eq == std::string_view::npos) (*current)[std::string(line)] = "";
          else (*current)[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
        }
      });
    }
    return out;
  }();
  return c;
}

bool DefinitionCatalog::covers(std::string_view prefix) const {
  for (const auto& r : roots_)
    if (prefix == r || (prefix.size() > r.size() && prefix.substr(0, r.size()) == r && prefix[r.size()] == '.'))
      return true;
  return false;
}

std::optional<DefinitionCatalog::Resolved> DefinitionCatalog::resolve(std::string_view module,
                                                                      std::string_view name) const {
  std::string current(module);
  if (!modules_.count(current) || name.empty()) return std::nullopt;
  // Descend through segments that are catalogued submodules (attributes of an imported package).
  while (true) {
    auto dot = name.find('.');
    if (dot == std::string_view::npos) break;
    std::string sub = current + "." + std::string(name.substr(0, dot));
    if (!modules_.count(sub)) break;
    current = std::move(sub);
    name = name.substr(dot + 1);
  }
  const auto& entries = modules_.at(current);
  auto it = entries.find(std::string(name));
  if (it == entries.end()) return std::nullopt;
  Resolved r{current, std::string(name), std::nullopt};
  if (!it->second.empty()) {
    auto colon = it->second.find(':');
    if (colon == std::string::npos) return std::nullopt;
    r.defined_in = std::make_pair(it->second.substr(0, colon), it->second.substr(colon + 1));
  }
  return r;
}

}  // namespace modelgate::pickle
