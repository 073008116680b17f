#pragma once
// What to scan and under which policy: the options `scan` and `bom` share.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "modelgate/scan.h"

namespace modelgate::cli {

struct ScanRequest {
  std::vector<std::string> paths;
  bool hf_cache = false;  // set from the option's count when the command runs
  std::string hf_cache_dir;
  std::string policy_file;
  std::vector<std::string> profiles;
  std::vector<std::string> allow_globals;
  unsigned threads = 0;
  std::string sandbox;  // empty: default_sandbox_mode()
};

// PATH..., --hf-cache [DIR], --policy, --profile, --allow-global, -j, --sandbox.
void add_scan_request_options(CLI::App* cmd, ScanRequest& request);

// --sandbox strict|best-effort|off, for every command that parses files (scan, bom, convert).
void add_sandbox_option(CLI::App* cmd, std::string& mode);
// The mode the option names; default_sandbox_mode() when it was not given.
SandboxMode sandbox_mode_option(const std::string& mode);

// The options the request asks for; nullopt (the reason printed) for a policy that cannot be read.
std::optional<ScanOptions> scan_options(const ScanRequest& request);

// Scans what the request names; nullopt (the reason printed) for a usage error.
std::optional<ScanResult> run_scan_request(const ScanRequest& request, const ScanOptions& options);

}  // namespace modelgate::cli
