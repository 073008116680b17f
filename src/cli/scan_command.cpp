#include <iostream>
#include <sstream>
#include <unistd.h>

#include "commands.h"
#include "modelgate/escaped_text.h"
#include "output_file.h"
#include "scan_request.h"
#include "source_date_epoch.h"
#include "modelgate/bom.h"
#include "modelgate/render.h"

namespace modelgate::cli {

namespace {

struct ScanArgs {
  ScanRequest request;
  std::string format = "text";
  std::string output;
  bool quiet = false;
  int verbose = 0;
};

int run_scan(const ScanArgs& args) {
  auto options = scan_options(args.request);
  if (!options) return 2;
  options->progress = isatty(STDERR_FILENO) && !args.quiet;
  BomOptions bom;
  if (args.format == "cyclonedx") {
    auto epoch = source_date_epoch();
    if (!epoch.error.empty()) {
      std::cerr << "modelgate: " << escape_for_terminal(epoch.error) << '\n';
      return 2;
    }
    bom.timestamp = epoch.seconds;
    bom.policy = options->policy;
    options->hash_contents = true;
  }
  auto scanned = run_scan_request(args.request, *options);
  if (!scanned) return 2;
  const ScanResult& result = *scanned;
  // Whatever could be scanned is reported, then the errors (missing paths) make the exit code 2.
  if (!result.artifacts.empty() || result.errors.empty()) {
    std::ostringstream report;
    if (args.format == "json")
      render_json(result, report);
    else if (args.format == "sarif")
      render_sarif(result, report);
    else if (args.format == "cyclonedx")
      report << render_cyclonedx(result, bom);
    else
      render_text(result, report, args.quiet ? -1 : args.verbose);
    if (args.output.empty()) {
      std::cout << report.str() << std::flush;
      if (!std::cout) {
        std::cerr << "modelgate: cannot write the report to standard output\n";
        return 2;
      }
    } else if (auto err = write_output_file(args.output, report.str(),
                                             files_not_to_replace(args.request.paths, result, {args.request.policy_file}))) {
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
  add_scan_request_options(cmd, args->request);
  cmd->add_option("--format", args->format, "Output format (cyclonedx: the bill of materials `bom` writes, CycloneDX 1.6)")
      ->check(CLI::IsMember({"text", "json", "sarif", "cyclonedx"}));
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_flag("-q,--quiet", args->quiet, "Print only artifacts the policy does not allow");
  cmd->add_flag("-v,--verbose", args->verbose, "Also print informational findings");
  cmd->callback([args, cmd, &exit_code] {
    args->request.hf_cache = cmd->count("--hf-cache") > 0;
    exit_code = run_scan(*args);
  });
}

}  // namespace modelgate::cli
