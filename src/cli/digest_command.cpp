#include <iostream>

#include "commands.h"
#include "modelgate/escaped_text.h"
#include "sign_options.h"

namespace modelgate::cli {

void add_digest_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string model;
    bool json = false;
    HashingArgs hashing;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("digest", "Print a model's OMS manifest and root digest (no signing)");
  cmd->add_option("model", a->model, "The model directory or file")->required();
  cmd->add_flag("--json", a->json, "Print the in-toto statement that `sign` would sign");
  add_ignore_options(cmd, a->hashing);
  add_serialization_options(cmd, a->hashing);
  cmd->callback([a, &exit_code] {
    auto digest = digest_model(a->model, model_hashing(a->hashing));
    if (!digest) return void(exit_code = report_failure(digest.error(), false));
    if (a->json) {
      std::cout << digest->statement << '\n';
      return;
    }
    for (const auto& entry : digest->entries)
      std::cout << entry.algorithm << ':' << entry.digest << "  " << escape_for_terminal(entry.name) << '\n';
    std::cout << "sha256:" << digest->root_sha256 << "  " << escape_for_terminal(digest->model_name) << '\n';
  });
}

}  // namespace modelgate::cli
