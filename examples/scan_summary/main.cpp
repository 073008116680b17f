// Scans the paths given and prints one line per top-level artifact and the policy's decision;
// exits 0 when the default policy allows everything, 1 when it denies something, 2 on errors.
#include <iostream>

#include <modelgate/scan.h>
#include <modelgate/status.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: scan_summary PATH...\n";
    return 2;
  }
  std::vector<std::filesystem::path> paths(argv + 1, argv + argc);
  const modelgate::ScanResult result = modelgate::scan_paths(paths, modelgate::ScanOptions{});
  for (const auto& error : result.errors) std::cerr << "error: " << error << '\n';
  for (const auto& artifact : result.artifacts)
    std::cout << modelgate::to_string(artifact.status) << ' ' << artifact.format << ' '
              << artifact.all_findings().size() << " findings\n";
  std::cout << (result.decision.allow ? "allowed" : "denied") << '\n';
  if (!result.errors.empty()) return 2;
  return result.decision.allow ? 0 : 1;
}
