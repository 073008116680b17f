// The legacy torch reader: the fuzzer's bytes follow a literal magic-number pickle, so every input
// goes through the five-pickle layout and the storage walk.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "scan/format_table.h"
#include "scan/scan_context.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const modelgate::Limits limits;
  static const modelgate::Policy policy;
  static const auto allowlist = *modelgate::pickle::Allowlist::from_profiles(policy.profiles, {});
  static const std::uint8_t magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                       0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};
  std::vector<std::uint8_t> input(magic, magic + sizeof magic);
  input.insert(input.end(), data, data + size);
  modelgate::ScanContext ctx(limits, policy, allowlist);
  modelgate::Artifact a;
  a.origin = "fuzz.pt";
  a.bytes = modelgate::ByteView(input.data(), input.size());
  modelgate::ArtifactReport report;
  modelgate::scan_torch_legacy(a, ctx, report);
  return 0;
}
