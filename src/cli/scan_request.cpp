#include "scan_request.h"

#include <iostream>

#include "modelgate/escaped_text.h"

namespace modelgate::cli {

void add_scan_request_options(CLI::App* cmd, ScanRequest& r) {
  cmd->add_option("paths", r.paths, "Files or directories to scan");
  cmd->add_option("--hf-cache", r.hf_cache_dir,
                  "Scan a Hugging Face hub cache (default $HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub)")
      ->expected(0, 1);
  cmd->add_option("--policy", r.policy_file, "Policy file (JSON, schema modelgate.policy/1)");
  // One value per occurrence, so that `--profile torch model.pkl` leaves model.pkl a path.
  cmd->add_option("--profile", r.profiles,
                  "Pickle allowlist profile (repeatable): torch, python-data, numpy, scipy, sklearn (sklearn includes numpy and scipy)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--allow-global", r.allow_globals, "Also allow this pickle global, as module.name (repeatable)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("-j,--threads", r.threads, "Worker threads (default: all cores)");
  add_sandbox_option(cmd, r.sandbox);
}

void add_sandbox_option(CLI::App* cmd, std::string& mode) {
  cmd->add_option("--sandbox", mode,
                  "Parse files in confined worker processes: strict (exit 2 when a confinement layer is "
                  "unavailable; the default where the kernel has seccomp), best-effort (record missing layers; "
                  "the default elsewhere), off (see docs/sandbox.md)")
      ->check(CLI::IsMember({"strict", "best-effort", "off"}));
}

SandboxMode sandbox_mode_option(const std::string& mode) {
  return mode.empty() ? default_sandbox_mode() : *parse_sandbox_mode(mode);
}

std::optional<ScanOptions> scan_options(const ScanRequest& r) {
  ScanOptions options;
  if (!r.policy_file.empty()) {
    auto policy = load_policy(r.policy_file);
    if (!policy) {
      std::cerr << "modelgate: " << escape_for_terminal(policy.error().message()) << '\n';
      return std::nullopt;
    }
    options.policy = std::move(*policy);
  }
  if (!r.profiles.empty()) options.policy.profiles = r.profiles;
  for (const auto& g : r.allow_globals) options.policy.extra_allowed_globals.push_back(g);
  options.threads = r.threads;
  options.sandbox = sandbox_mode_option(r.sandbox);
  return options;
}

std::optional<ScanResult> run_scan_request(const ScanRequest& r, const ScanOptions& options) {
  std::vector<std::filesystem::path> paths(r.paths.begin(), r.paths.end());
  if (!r.hf_cache && paths.empty()) {
    std::cerr << "modelgate: needs PATH... or --hf-cache [DIR]\n";
    return std::nullopt;
  }
  if (r.hf_cache) {
    if (!paths.empty()) {
      std::cerr << "modelgate: --hf-cache takes the cache directory as its value, not PATH arguments\n";
      return std::nullopt;
    }
    return scan_hf_cache(r.hf_cache_dir.empty() ? default_hf_cache() : std::filesystem::path(r.hf_cache_dir), options);
  }
  return scan_paths(paths, options);
}

}  // namespace modelgate::cli
