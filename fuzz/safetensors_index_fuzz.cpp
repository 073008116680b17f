// The sharded-safetensors check: an index and the two shards it names, written to a scratch
// directory from the parts of the input (fuzz_parts.h), then compared the way a directory scan
// compares them (shard paths, missing, unlisted and duplicated tensors).
#include <cstddef>
#include <cstdint>

#include "format/directory_checks.h"
#include "fuzz_context.h"
#include "fuzz_parts.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  static const std::vector<std::string> names = {"model.safetensors.index.json", "model-00001-of-00002.safetensors",
                                                 "model-00002-of-00002.safetensors"};
  static fuzz::ScratchDir dir;
  auto parts = fuzz::split_parts(data, size, names.size());
  dir.fill(names, parts);
  std::vector<WalkEntry> files;
  std::vector<ArtifactReport> reports;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    files.push_back({dir.path() / names[i], names[i], dir.path(), names[i]});
    reports.emplace_back().origin = names[i];
  }
  check_safetensors_indexes(files, {}, reports, fuzz::context());
  return 0;
}
