#include <iomanip>
#include <iostream>

#include "commands.h"
#include "modelgate/escaped_text.h"
#include "modelgate/rules.h"

namespace modelgate::cli {

void add_rules_command(CLI::App& app, int& exit_code) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("rules", "List every rule, or explain one");
  cmd->add_option("rule", *id, "A rule id to explain");
  cmd->callback([id, &exit_code] {
    if (!id->empty()) {
      const Rule* r = find_rule(*id);
      if (r == nullptr) {
        std::cerr << "modelgate: unknown rule " << escape_for_terminal(*id) << '\n';
        exit_code = 2;
        return;
      }
      std::cout << r->id << " (" << to_string(r->severity) << ", makes the artifact at least "
                << to_string(r->status) << ")\n  " << r->summary << "\n\n  " << r->help << '\n';
      return;
    }
    for (const auto& r : all_rules())
      std::cout << std::left << std::setw(34) << r.id << ' ' << std::setw(9) << to_string(r.severity)
                << ' ' << r.summary << '\n';
  });
}

}  // namespace modelgate::cli
