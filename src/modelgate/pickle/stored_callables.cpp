#include "pickle/stored_callables.h"

#include <unordered_set>
#include <utility>
#include <vector>

#include "pickle/class_identity.h"

namespace modelgate::pickle {

namespace {

// Parameters sklearn calls in fit() only: a fitted estimator keeps them but never calls them.
struct FitOnlyCallable {
  std::string_view cls;  // the last part of the defining class's name
  std::string_view key;
};
constexpr FitOnlyCallable kFitOnly[] = {
    {"SelectKBest", "score_func"},      {"SelectPercentile", "score_func"}, {"GenericUnivariateSelect", "score_func"},
    {"SelectFpr", "score_func"},        {"SelectFdr", "score_func"},        {"SelectFwe", "score_func"},
    {"BisectingKMeans", "_kmeans_single"},  // the Lloyd or Elkan run of each bisection
};

bool fit_only(std::string_view class_name, std::string_view key) {
  const std::string_view cls = class_name.substr(class_name.rfind('.') + 1);
  for (const FitOnlyCallable& f : kFitOnly)
    if (f.cls == cls && f.key == key) return true;
  return false;
}

// Containers a value's callables can sit in: builtin ones, and the calls that make one from their
// arguments (dict(...), collections.OrderedDict([...])).
bool makes_container(const std::string& callable) {
  return callable.starts_with("builtins.") || callable.starts_with("collections.");
}

}  // namespace

std::optional<StoredCallable> find_stored_callable(const ValueGraph& graph, std::string_view class_name,
                                                   const Value& state,
                                                   const std::function<bool(const Node& global)>& may_not_be_called,
                                                   std::size_t& budget) {
  if (!state.has_node()) return std::nullopt;
  std::vector<std::pair<const Value*, std::string>> pending;
  std::unordered_set<std::uint32_t> seen;
  auto push_items = [&](const Node& n, const std::string& where, bool top) {
    if (n.kind == Kind::dict) {
      for (std::size_t k = 0; k + 1 < n.items.size(); k += 2) {
        const std::string key = n.items[k].kind == Kind::string ? std::string(graph.text_of(n.items[k])) : "?";
        if (top && fit_only(class_name, key)) continue;
        pending.emplace_back(&n.items[k + 1], where.empty() ? key : where + "[" + key + "]");
      }
      return;
    }
    for (std::size_t i = 0; i < n.items.size(); ++i)
      pending.emplace_back(&n.items[i], where + "[" + std::to_string(i) + "]");
  };
  const Node& root = graph.node(static_cast<std::uint32_t>(state.u));
  if (root.kind == Kind::tuple && root.items.size() == 2) {  // (state, slotstate)
    for (const Value& part : root.items)
      if (part.has_node()) push_items(graph.node(static_cast<std::uint32_t>(part.u)), "", true);
  } else {
    push_items(root, "", true);
  }
  while (!pending.empty()) {
    auto [v, where] = std::move(pending.back());
    pending.pop_back();
    if (!v->has_node()) continue;
    const auto index = static_cast<std::uint32_t>(v->u);
    const Node& n = graph.node(index);
    if (n.kind == Kind::global) {
      if (may_not_be_called(n)) return StoredCallable{where, &n};
      continue;
    }
    if (!seen.insert(index).second) continue;
    if (budget == 0) return StoredCallable{where, nullptr};
    --budget;
    if (n.kind == Kind::list || n.kind == Kind::tuple || n.kind == Kind::dict || n.kind == Kind::set ||
        n.kind == Kind::frozenset) {
      push_items(n, where, false);
      continue;
    }
    if (n.kind != Kind::call || n.items.empty()) continue;
    // An sklearn object's own state is checked at its own BUILD; another object's state (a numpy
    // object array's items, a container's) holds what it gives back.
    if (defining_class(graph, n.items[0]).starts_with("sklearn.")) continue;
    if (n.items.size() >= 4 && n.items[3].has_node()) pending.emplace_back(&n.items[3], where);
    if (makes_container(graph.qualified_name(n.items[0])))
      for (std::size_t i = 1; i < n.items.size() && i < 3; ++i) pending.emplace_back(&n.items[i], where);
  }
  return std::nullopt;
}

}  // namespace modelgate::pickle
