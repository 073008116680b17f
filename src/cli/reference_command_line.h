#pragma once
// Command lines written for the reference `model_signing` run unchanged: before parsing, the `sign`,
// `verify` and `digest` command lines are rewritten the way the reference's click setup reads them:
//  - `_` in option and method names means `-` (`--private_key`, `--ignore_paths`, `pkcs11_key`);
//  - `sign`/`verify` without a method mean `sigstore` (`verify --signature s --identity ... MODEL`);
//  - the global `--log-level LEVEL` is accepted and has no effect (modelgate has one output level).
// Other commands are left as they are.
#include <string>
#include <vector>

namespace modelgate::cli {

std::vector<std::string> reference_command_line(std::vector<std::string> args);

}  // namespace modelgate::cli
