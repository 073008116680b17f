#include <iostream>

#include "commands.h"
#include "core/escaped_text.h"
#include "sign/statement.h"
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
    auto manifest = sign::hash_model(a->model, hashing_config(a->hashing, ""));
    if (!manifest) return void(exit_code = report_failure(manifest.failure(), false));
    if (a->json) {
      std::cout << sign::statement_json(*manifest) << '\n';
      return;
    }
    for (const auto& item : manifest->items)
      std::cout << sign::hash_name(item.algorithm) << ':' << sign::hex_encode(item.digest) << "  "
                << escape_for_terminal(item.name()) << '\n';
    std::cout << "sha256:" << sign::hex_encode(manifest->root_digest()) << "  " << escape_for_terminal(manifest->model_name)
              << '\n';
  });
}

}  // namespace modelgate::cli
