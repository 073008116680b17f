#include "core/rule_catalog.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace modelgate {

const std::vector<Rule>& all_rules() {
  static const std::vector<Rule> rules = [] {
    std::vector<Rule> all;
    // One line per module: keeps additions conflict-free.
    using Table = std::span<const Rule> (*)();
    static constexpr Table tables[] = {
        core_rules,
        pickle_rules,
        walk_rules,
        onnx_rules,
        keras_rules,
        savedmodel_rules,
        safetensors_rules,
        gguf_rules,
        template_rules,
        hf_rules,
        zip_rules,
        torch_rules,
        archive_rules,
        numpy_rules,
        joblib_rules,
        torch_tar_rules,
        data_file_rules,
        reading_rules,
        sandbox_rules,
        gate_rules,
    };
    for (Table t : tables) {
      auto table = t();
      all.insert(all.end(), table.begin(), table.end());
    }
    std::sort(all.begin(), all.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
    return all;
  }();
  return rules;
}

const Rule* find_rule(std::string_view id) {
  const auto& rules = all_rules();
  auto it = std::lower_bound(rules.begin(), rules.end(), id,
                             [](const Rule& r, std::string_view v) { return r.id < v; });
  return it != rules.end() && it->id == id ? &*it : nullptr;
}

const Rule& rule(RuleId id) {
  if (const Rule* r = find_rule(id.view())) return *r;
  // Not reached but for a default (empty) RuleId: RuleId admits only ids listed from the same tables.
  throw std::logic_error("no rule for the rule id '" + std::string(id.view()) + "'");
}

}  // namespace modelgate
