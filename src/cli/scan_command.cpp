#include <iostream>
#include <sstream>
#include <unistd.h>

#include "commands.h"
#include "modelgate/escaped_text.h"
#include "output_file.h"
#include "modelgate/render.h"
#include "modelgate/scan.h"

namespace modelgate::cli {

namespace {

struct ScanArgs {
  std::vector<std::string> paths;
  bool hf_cache = false;
  std::string hf_cache_dir;
  std::string format = "text";
  std::string output;
  std::string policy_file;
  std::vector<std::string> profiles;
  std::vector<std::string> allow_globals;
  unsigned threads = 0;
  std::string sandbox;  // empty: default_sandbox_mode()
  bool quiet = false;
  int verbose = 0;
};

int run_scan(const ScanArgs& args) {
  ScanOptions options;
  if (!args.policy_file.empty()) {
    if (auto err = load_policy(args.policy_file, options.policy)) {
      std::cerr << "modelgate: " << escape_for_terminal(*err) << '\n';
      return 2;
    }
  }
  if (!args.profiles.empty()) options.policy.profiles = args.profiles;
  for (const auto& g : args.allow_globals) options.policy.extra_allowed_globals.push_back(g);
  options.threads = args.threads;
  options.sandbox = args.sandbox.empty() ? default_sandbox_mode() : *parse_sandbox_mode(args.sandbox);
  options.progress = isatty(STDERR_FILENO) && !args.quiet;

  std::vector<std::filesystem::path> paths(args.paths.begin(), args.paths.end());
  if (!args.hf_cache && paths.empty()) {
    std::cerr << "modelgate: scan needs PATH... or --hf-cache [DIR]\n";
    return 2;
  }
  ScanResult result;
  if (args.hf_cache) {
    if (!paths.empty()) {
      std::cerr << "modelgate: --hf-cache takes the cache directory as its value, not PATH arguments\n";
      return 2;
    }
    result = scan_hf_cache(args.hf_cache_dir.empty() ? default_hf_cache() : std::filesystem::path(args.hf_cache_dir),
                           options);
  } else {
    result = scan_paths(paths, options);
  }
  // Whatever could be scanned is reported, then the errors (missing paths) make the exit code 2.
  if (!result.artifacts.empty() || result.errors.empty()) {
    std::ostringstream report;
    if (args.format == "json")
      render_json(result, report);
    else if (args.format == "sarif")
      render_sarif(result, report);
    else
      render_text(result, report, args.quiet ? -1 : args.verbose);
    if (args.output.empty()) {
      std::cout << report.str() << std::flush;
      if (!std::cout) {
        std::cerr << "modelgate: cannot write the report to standard output\n";
        return 2;
      }
    } else if (auto err = write_output_file(args.output, report.str())) {
      std::cerr << "modelgate: " << escape_for_terminal(*err) << '\n';
      return 2;
    }
  }
  for (const auto& e : result.errors) std::cerr << "modelgate: " << escape_for_terminal(e) << '\n';
  if (!result.errors.empty()) return 2;
  return result.decision.allow ? 0 : 1;
}

}  // namespace

void add_scan_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ScanArgs>();
  auto* cmd = app.add_subcommand("scan", "Scan model files and directories; exit 1 when the policy denies any");
  cmd->add_option("paths", args->paths, "Files or directories to scan");
  cmd->add_option("--hf-cache", args->hf_cache_dir,
                  "Scan a Hugging Face hub cache (default $HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub)")
      ->expected(0, 1);
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--policy", args->policy_file, "Policy file (JSON, schema modelgate.policy/1)");
  // One value per occurrence, so that `--profile torch model.pkl` leaves model.pkl a path.
  cmd->add_option("--profile", args->profiles,
                  "Pickle allowlist profile (repeatable): torch, python-data, numpy, scipy, sklearn (sklearn includes numpy and scipy)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--allow-global", args->allow_globals,
                  "Also allow this pickle global, as module.name (repeatable)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("-j,--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--sandbox", args->sandbox,
                  "Parse files in confined worker processes: strict (exit 2 when a confinement layer is "
                  "unavailable; the default where the kernel has seccomp), best-effort (record missing layers; "
                  "the default elsewhere), off (see docs/sandbox.md)")
      ->check(CLI::IsMember({"strict", "best-effort", "off"}));
  cmd->add_flag("-q,--quiet", args->quiet, "Print only artifacts the policy does not allow");
  cmd->add_flag("-v,--verbose", args->verbose, "Also print informational findings");
  cmd->callback([args, cmd, &exit_code] {
    args->hf_cache = cmd->count("--hf-cache") > 0;
    exit_code = run_scan(*args);
  });
}

}  // namespace modelgate::cli
