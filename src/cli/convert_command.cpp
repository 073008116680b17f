#include <sys/resource.h>

#include <iostream>

#include "commands.h"
#include "modelgate/convert.h"

namespace modelgate::cli {

namespace {

struct ConvertArgs {
  std::string in, out, key;
  bool force = false;
  bool sync = false;
  bool json = false;
};

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
  cmd->callback([args, &exit_code] {
    // A directory keeps every scanned file open until it is written (what is copied is what was
    // scanned), so allow as many descriptors as the hard limit does.
    rlimit nofile{};
    if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
      nofile.rlim_cur = nofile.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &nofile);
    }
    ConvertOptions options;
    options.key = args->key;
    options.force = args->force;
    options.durable = args->sync;
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
  });
}

}  // namespace modelgate::cli
