#include "reference_command_line.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace modelgate::cli {

namespace {

constexpr std::array<std::string_view, 5> kSigningMethods = {"sigstore", "key", "certificate", "pkcs11-key",
                                                             "pkcs11-certificate"};

std::string dashes_for_underscores(std::string s) {
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

// `--option_name` or `--option_name=value`: the name part only; values keep their underscores.
std::string normalized_option(const std::string& token) {
  auto eq = token.find('=');
  if (eq == std::string::npos) return dashes_for_underscores(token);
  return dashes_for_underscores(token.substr(0, eq)) + token.substr(eq);
}

}  // namespace

std::vector<std::string> reference_command_line(std::vector<std::string> args) {
  // args[0] is the program name.
  std::size_t command = 1;
  while (command < args.size() && (args[command] == "--log-level" || args[command] == "--log_level" ||
                                   args[command].starts_with("--log-level=") || args[command].starts_with("--log_level="))) {
    bool separate_value = args[command].find('=') == std::string::npos;
    std::size_t next = command + (separate_value ? 2 : 1);
    if (next >= args.size()) break;
    std::string_view after = args[next];
    if (after != "sign" && after != "verify" && after != "digest") break;
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(command), args.begin() + static_cast<std::ptrdiff_t>(next));
  }
  if (command >= args.size()) return args;
  const std::string& name = args[command];
  if (name != "sign" && name != "verify" && name != "digest") return args;

  for (std::size_t i = command + 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i].starts_with("--")) args[i] = normalized_option(args[i]);
  }
  if (name != "digest" && command + 1 < args.size()) {
    std::string& method = args[command + 1];
    std::string spelled = dashes_for_underscores(method);
    bool is_method = std::find(kSigningMethods.begin(), kSigningMethods.end(), spelled) != kSigningMethods.end();
    if (is_method)
      method = spelled;
    else if (method != "-h" && method != "--help")
      args.insert(args.begin() + static_cast<std::ptrdiff_t>(command) + 1, "sigstore");
  }
  return args;
}

}  // namespace modelgate::cli
