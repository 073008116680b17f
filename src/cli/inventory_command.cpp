#include <iostream>

#include "commands.h"
#include "core/escaped_text.h"
#include "core/json_text.h"
#include "gate/inventory.h"

namespace modelgate::cli {

namespace {

struct InventoryArgs {
  std::string store, sha256, format = "text";
};

nlohmann::json result_json(const StoredResult& r) {
  return {{"sha256", r.key.sha256}, {"size", r.key.size},   {"name", r.key.name},   {"format", r.format},
          {"status", r.status},     {"version", r.key.version}, {"ruleset", r.key.ruleset}, {"recorded_at", r.recorded_at}};
}

nlohmann::json decision_record_json(const DecisionRecord& d) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : d.files) files.push_back({{"sha256", f.sha256}, {"origin", f.origin}});
  auto parsed = [](const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? nlohmann::json(text) : j;
  };
  return {{"id", d.id}, {"recorded_at", d.recorded_at}, {"decision", d.decision}, {"mode", d.mode},
          {"would_deny", d.would_deny}, {"policy_sha256", d.policy_sha256}, {"paths", parsed(d.paths)},
          {"files", files}, {"rules", parsed(d.rules)}};
}

void print_results(const std::vector<StoredResult>& rows, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) out.push_back(result_json(r));
    std::cout << json_text(out, 2) << '\n';
    return;
  }
  for (const auto& r : rows)
    std::cout << r.key.sha256 << "  " << r.key.size << "  " << r.status << "  " << r.format << "  "
              << escape_for_terminal(r.key.name) << "  " << r.recorded_at << '\n';
}

void print_decisions(const std::vector<DecisionRecord>& rows, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : rows) out.push_back(decision_record_json(d));
    std::cout << json_text(out, 2) << '\n';
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
    std::cerr << "modelgate: " << escape_for_terminal(inventory.error().message) << '\n';
    return 2;
  }
  bool json = a.format == "json";
  if (what == "list") {
    auto rows = (*inventory)->results("");
    if (!rows) return std::cerr << "modelgate: " << escape_for_terminal(rows.error().message) << '\n', 2;
    print_results(*rows, json);
  } else if (what == "show") {
    auto rows = (*inventory)->results(a.sha256);
    auto decisions = (*inventory)->decisions(a.sha256);
    if (!rows) return std::cerr << "modelgate: " << escape_for_terminal(rows.error().message) << '\n', 2;
    if (!decisions) return std::cerr << "modelgate: " << escape_for_terminal(decisions.error().message) << '\n', 2;
    if (rows->empty() && decisions->empty()) {
      std::cerr << "modelgate: " << escape_for_terminal(a.sha256) << " is not in the inventory\n";
      return 1;
    }
    if (json) {
      nlohmann::json out = {{"results", nlohmann::json::array()}, {"decisions", nlohmann::json::array()}};
      for (const auto& r : *rows) out["results"].push_back(result_json(r));
      for (const auto& d : *decisions) out["decisions"].push_back(decision_record_json(d));
      std::cout << json_text(out, 2) << '\n';
    } else {
      print_results(*rows, false);
      print_decisions(*decisions, false);
    }
  } else {
    auto rows = (*inventory)->decisions("");
    if (!rows) return std::cerr << "modelgate: " << escape_for_terminal(rows.error().message) << '\n', 2;
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
