#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "scan_request.h"
#include "modelgate/escaped_text.h"
#include "modelgate/gate.h"

namespace modelgate::cli {

namespace {

struct AdmitArgs {
  std::vector<std::string> paths;
  std::string policy, signature, store, format = "text";
  unsigned threads = 0;
  std::string sandbox;  // empty: default_sandbox_mode()
};

int run_admit(const AdmitArgs& a) {
  AdmitOptions options;
  auto policy = load_gate_policy(a.policy);
  if (!policy) {
    std::cerr << "modelgate: " << escape_for_terminal(policy.error().message()) << '\n';
    return 2;
  }
  options.policy = std::move(*policy);
  options.paths.assign(a.paths.begin(), a.paths.end());
  options.signature = a.signature;
  options.store = a.store;
  options.threads = a.threads;
  options.sandbox = sandbox_mode_option(a.sandbox);
  options.progress = ::isatty(STDERR_FILENO) == 1;
  GateDecision d = admit(options);
  std::cout << (a.format == "json" ? decision_json(d) : decision_text(d)) << std::flush;
  for (const auto& e : d.errors) std::cerr << "modelgate: " << escape_for_terminal(e) << '\n';
  if (!std::cout) {
    std::cerr << "modelgate: cannot write the decision to standard output\n";
    return 2;
  }
  return decision_exit_code(d);
}

}  // namespace

void add_admit_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<AdmitArgs>();
  auto* cmd = app.add_subcommand("admit", "Decide whether models pass the gate: scan, verify and apply a policy");
  cmd->add_option("paths", a->paths, "Model directories or files")->required();
  cmd->add_option("--policy", a->policy, "Policy file (modelgate.policy/2, docs/gate.md)")->required();
  cmd->add_option("--signature", a->signature, "OMS signature bundle (default: model.sig inside the directory)");
  cmd->add_option("--store", a->store, "Inventory: sqlite:PATH (default scheme) or postgresql://...");
  cmd->add_option("--format", a->format, "text or json (modelgate.decision/2)")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--threads", a->threads, "Scanning threads (default: one per core)");
  add_sandbox_option(cmd, a->sandbox);
  cmd->footer("Exit status: 0 allow (always in dry-run), 1 deny, 2 error (never an allow).");
  cmd->callback([a, &exit_code] { exit_code = run_admit(*a); });
}

}  // namespace modelgate::cli
