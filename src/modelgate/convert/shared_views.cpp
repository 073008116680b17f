#include "convert/shared_views.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace modelgate::convert {

DistinctViews distinct_views(const std::vector<TensorRecord>& tensors) {
  using ViewKey = std::tuple<std::string, std::uint64_t, std::vector<std::uint64_t>, std::vector<std::uint64_t>,
                             safetensors::Dtype>;
  std::map<ViewKey, std::vector<const TensorRecord*>> groups;
  std::vector<ViewKey> first_seen;
  for (const auto& t : tensors) {
    ViewKey k{t.storage_key, t.offset, t.shape, t.strides, t.dtype};
    auto& g = groups[k];
    if (g.empty()) first_seen.push_back(k);
    g.push_back(&t);
  }
  DistinctViews out;
  for (const auto& k : first_seen) {
    auto& g = groups[k];
    std::sort(g.begin(), g.end(), [](const TensorRecord* a, const TensorRecord* b) { return a->name < b->name; });
    out.written.push_back(g[0]);
    for (std::size_t i = 1; i < g.size(); ++i) out.aliases.emplace_back(g[i]->name, g[0]->name);
  }
  std::sort(out.aliases.begin(), out.aliases.end());
  return out;
}

}  // namespace modelgate::convert
