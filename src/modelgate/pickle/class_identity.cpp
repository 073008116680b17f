#include "pickle/class_identity.h"

#include <string_view>

#include "pickle/definition_catalog.h"

namespace modelgate::pickle {

std::string defining_class(const ValueGraph& graph, const Value& v) {
  if (!v.has_node()) return {};
  const Node& n = graph.node(static_cast<std::uint32_t>(v.u));
  if (n.kind != Kind::global) return graph.qualified_name(v);
  std::string module = n.module(), name = n.name();
  const auto& catalog = DefinitionCatalog::builtin();
  for (int hops = 0; hops < 8; ++hops) {
    auto r = catalog.resolve(module, name);
    if (!r) break;
    module = r->module;
    name = r->name;
    if (!r->defined_in) break;
    module = r->defined_in->first;
    name = r->defined_in->second;
  }
  std::string full = name.empty() ? module : module + "." + name;
  const std::string_view f(full);
  if (f.ends_with("kd_tree.BinaryTree")) return full.substr(0, full.size() - 10) + "KDTree";
  if (f.ends_with("ball_tree.BinaryTree")) return full.substr(0, full.size() - 10) + "BallTree";
  return full;
}

}  // namespace modelgate::pickle
