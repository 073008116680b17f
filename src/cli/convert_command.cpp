#include <sys/resource.h>

#include <iostream>

#include "commands.h"
#include "modelgate/bom.h"
#include "modelgate/convert.h"
#include "modelgate/escaped_text.h"
#include "output_file.h"
#include "scan_request.h"
#include "source_date_epoch.h"

namespace modelgate::cli {

namespace {

struct ConvertArgs {
  std::string in, out, key;
  bool force = false;
  bool sync = false;
  bool json = false;
  std::string bom;
  std::string sandbox;  // empty: default_sandbox_mode()
};

// The BOM of what the conversion wrote, each output with the checkpoint it came from as its
// pedigree. 0, or 2 when it cannot be written.
int write_lineage_bom(const ConvertArgs& args, const ConversionReport& report, std::optional<std::int64_t> timestamp) {
  ScanOptions scan;
  scan.hash_contents = true;
  ScanResult result = scan_paths({args.out}, scan);
  for (const auto& e : result.errors) std::cerr << "modelgate: " << escape_for_terminal(e) << '\n';
  if (!result.errors.empty()) return 2;
  BomOptions bom;
  bom.timestamp = timestamp;
  bom.policy = scan.policy;
  for (const auto& f : report.files) {
    if (f.outcome != FileOutcome::converted && f.outcome != FileOutcome::copied) continue;
    std::string source = report.directory ? args.in + "/" + f.input : f.input;
    std::string derived = report.directory ? args.out + "/" + f.output : args.out;
    BomAncestor ancestor;
    ancestor.derived_origin = derived;
    ancestor.name = source;
    ancestor.sha256 = f.input_sha256;
    ancestor.size = f.input_size;
    ancestor.format = f.format;
    bom.ancestors.push_back(std::move(ancestor));
  }
  if (auto err = write_output_file(args.bom, render_cyclonedx(result, bom),
                                    files_not_to_replace({args.in, args.out}, result))) {
    std::cerr << "modelgate: " << escape_for_terminal(*err) << '\n';
    return 2;
  }
  return 0;
}

}  // namespace

void add_convert_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConvertArgs>();
  auto* cmd = app.add_subcommand(
      "convert", "Convert pickle checkpoints to safetensors without running them (IN a directory: OUT is one)");
  cmd->add_option("IN", args->in, "torch.save checkpoint, or a model directory")->required();
  cmd->add_option("OUT", args->out, "output .safetensors file, or output directory")->required();
  cmd->add_option("--key", args->key, "dotted path of the sub-dict to convert (e.g. state_dict, model)");
  cmd->add_flag("--force", args->force, "replace existing output files");
  cmd->add_flag("--sync", args->sync, "fsync every output before renaming it into place (durable across power loss)");
  cmd->add_flag("--json", args->json, "print the conversion report as JSON (schema modelgate.convert/1)");
  cmd->add_option("--bom", args->bom,
                  "write a CycloneDX BOM of the output to FILE, each output with its source checkpoint as pedigree");
  add_sandbox_option(cmd, args->sandbox);
  cmd->callback([args, &exit_code] {
    // A directory keeps every scanned file open until it is written (what is copied is what was
    // scanned), so allow as many descriptors as the hard limit does.
    rlimit nofile{};
    if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
      nofile.rlim_cur = nofile.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &nofile);
    }
    auto epoch = source_date_epoch();
    if (!args->bom.empty() && !epoch.error.empty()) {
      std::cerr << "modelgate: " << escape_for_terminal(epoch.error) << '\n';
      return void(exit_code = 2);
    }
    ConvertOptions options;
    options.hash_inputs = !args->bom.empty();
    options.key = args->key;
    options.force = args->force;
    options.durable = args->sync;
    options.sandbox = sandbox_mode_option(args->sandbox);
    // SIGINT/SIGTERM stop the conversion, which removes what it wrote; the process then ends by
    // the signal, as the shell expects.
    InterruptSignals signals;
    options.interrupted = signals.flag();
    auto report = convert_path(args->in, args->out, options);
    if (args->json)
      std::cout << render_conversion_json(report) << '\n';
    else
      std::cout << render_conversion_text(report);
    std::cout.flush();
    signals.reraise();
    exit_code = report.exit_code();
    if (!args->bom.empty() && exit_code == 0)
      exit_code = write_lineage_bom(*args, report, epoch.seconds);
    else if (!args->bom.empty())
      std::cerr << "modelgate: no BOM written: the conversion did not complete\n";
  });
}

}  // namespace modelgate::cli
