#pragma once
// Each subcommand registers itself on the app and, when it runs, stores the process exit code.
// Exit codes (DESIGN.md): 0 allowed / success, 1 denied / verification failed, 2 tool error.
#include <CLI/CLI.hpp>

namespace modelgate::cli {

void add_scan_command(CLI::App& app, int& exit_code);
void add_rules_command(CLI::App& app, int& exit_code);
void add_sign_command(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);
void add_digest_command(CLI::App& app, int& exit_code);
void add_convert_command(CLI::App& app, int& exit_code);
void add_bom_command(CLI::App& app, int& exit_code);
void add_admit_command(CLI::App& app, int& exit_code);
void add_inventory_command(CLI::App& app, int& exit_code);

}  // namespace modelgate::cli
