#include <malloc.h>

#include <csignal>
#include <iostream>

#include "commands.h"
#include "reference_command_line.h"
#include "modelgate/escaped_text.h"
#include "modelgate/version.h"

int main(int argc, char** argv) {
  // Past RLIMIT_FSIZE a write fails with EFBIG, which every writer reports ("File too large") after
  // removing its temporary file, instead of the process dying by SIGXFSZ with the temporary left.
  std::signal(SIGXFSZ, SIG_IGN);
  // Memory freed after one file is kept for the next rather than handed back to the kernel: on a
  // directory of small checkpoints, trimming the heap and unmapping after every file took half the
  // time (bench/side_by_side.py). Parse workers are forked from here and keep the setting.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  CLI::App app{"modelgate: static safety gate for machine-learning model files"};
  app.set_version_flag("--version", modelgate::kVersion);
  app.require_subcommand(1);
  int exit_code = 0;
  modelgate::cli::add_scan_command(app, exit_code);
  modelgate::cli::add_rules_command(app, exit_code);
  modelgate::cli::add_sign_command(app, exit_code);
  modelgate::cli::add_verify_command(app, exit_code);
  modelgate::cli::add_digest_command(app, exit_code);
  modelgate::cli::add_convert_command(app, exit_code);
  modelgate::cli::add_bom_command(app, exit_code);
  modelgate::cli::add_admit_command(app, exit_code);
  modelgate::cli::add_inventory_command(app, exit_code);
  // Command lines written for the reference `model_signing` are read as it reads them.
  std::vector<std::string> args = modelgate::cli::reference_command_line({argv, argv + argc});
  std::vector<const char*> arg_pointers;
  for (const auto& a : args) arg_pointers.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(arg_pointers.size()), arg_pointers.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "modelgate: " << modelgate::escape_for_terminal(e.what()) << " (see --help)\n";
    return 2;
  }
  return exit_code;
}
