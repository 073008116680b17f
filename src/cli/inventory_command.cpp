#include <iostream>

#include "commands.h"
#include "modelgate/escaped_text.h"
#include "modelgate/inventory.h"

namespace modelgate::cli {

namespace {

struct InventoryArgs {
  std::string store, sha256, format = "text";
};

void print_results(const std::vector<StoredResult>& rows, bool json) {
  if (json) {
    std::cout << stored_results_json(rows);
    return;
  }
  for (const auto& r : rows)
    std::cout << r.key.sha256 << "  " << r.key.size << "  " << r.status << "  " << r.format << "  "
              << escape_for_terminal(r.key.name) << "  " << r.recorded_at << '\n';
}

void print_decisions(const std::vector<DecisionRecord>& rows, bool json) {
  if (json) {
    std::cout << decision_records_json(rows);
    return;
  }
  for (const auto& d : rows)
    std::cout << "#" << d.id << "  " << d.recorded_at << "  " << d.decision << "  " << d.mode
              << (d.would_deny ? "  would deny" : "") << "  " << escape_for_terminal(d.paths) << "  policy "
              << d.policy_sha256.substr(0, 12) << "  " << d.files.size() << " file(s)\n";
}

int run_inventory(const std::string& what, const InventoryArgs& a) {
  auto inventory = open_inventory(a.store);
  if (!inventory) {
    std::cerr << "modelgate: " << escape_for_terminal(inventory.error().message()) << '\n';
    return 2;
  }
  bool json = a.format == "json";
  if (what == "list") {
    auto rows = (*inventory)->results("");
    if (!rows) return std::cerr << "modelgate: " << escape_for_terminal(rows.error().message()) << '\n', 2;
    print_results(*rows, json);
  } else if (what == "show") {
    auto rows = (*inventory)->results(a.sha256);
    auto decisions = (*inventory)->decisions(a.sha256);
    if (!rows) return std::cerr << "modelgate: " << escape_for_terminal(rows.error().message()) << '\n', 2;
    if (!decisions) return std::cerr << "modelgate: " << escape_for_terminal(decisions.error().message()) << '\n', 2;
    if (rows->empty() && decisions->empty()) {
      std::cerr << "modelgate: " << escape_for_terminal(a.sha256) << " is not in the inventory\n";
      return 1;
    }
    if (json) {
      std::cout << content_history_json(*rows, *decisions);
    } else {
      print_results(*rows, false);
      print_decisions(*decisions, false);
    }
  } else {
    auto rows = (*inventory)->decisions("");
    if (!rows) return std::cerr << "modelgate: " << escape_for_terminal(rows.error().message()) << '\n', 2;
    print_decisions(*rows, json);
  }
  return 0;
}

}  // namespace

void add_inventory_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("inventory", "Query the gate's inventory of verdicts and decisions");
  cmd->require_subcommand(1);
  for (const char* what : {"list", "show", "decisions"}) {
    auto a = std::make_shared<InventoryArgs>();
    const char* help = std::string_view(what) == "list"   ? "Every stored verdict"
                       : std::string_view(what) == "show" ? "The verdicts and decisions for one content hash"
                                                          : "Every admission decision, newest first";
    auto* sub = cmd->add_subcommand(what, help);
    if (std::string_view(what) == "show")
      sub->add_option("sha256", a->sha256, "SHA-256 of a file's content")->required()->check([](const std::string& s) {
        bool hex = s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
        return hex ? std::string() : std::string("not a lowercase hex SHA-256");
      });
    sub->add_option("--store", a->store, "sqlite:PATH (default scheme) or postgresql://...")->required();
    sub->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
    sub->callback([a, what, &exit_code] { exit_code = run_inventory(what, *a); });
  }
}

}  // namespace modelgate::cli
