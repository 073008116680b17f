#pragma once
// Stable rule ids. Each module owns a table of its rules; the catalog concatenates them.
#include <span>
#include <string_view>
#include <vector>

#include "modelgate/status.h"

namespace modelgate {

struct Rule {
  std::string_view id;       // stable, e.g. "MG-PICKLE-GLOBAL-DANGEROUS"
  Severity severity;         // default severity of a finding under this rule
  Status status;             // the artifact is at least this bad when the rule fires
  std::string_view summary;  // one line
  std::string_view help;     // what it means and what to do
};

// Every rule of every module, sorted by id.
const std::vector<Rule>& all_rules();
// nullptr when unknown.
const Rule* find_rule(std::string_view id);

}  // namespace modelgate
