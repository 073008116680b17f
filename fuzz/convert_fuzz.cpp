// The conversion path over arbitrary pickles: the machine with the value graph retained, state
// dict reconstruction, shared-view planning, the header layout, and every tensor copied (gathers,
// byte swaps) from zero-filled storages of the declared sizes into /dev/null.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "convert/safetensors_writer.h"
#include "convert/shared_views.h"
#include "container/state_dict_reconstruction.h"
#include "convert/tensor_copy.h"
#include "pickle/allowlist.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  static const Limits limits = [] {
    Limits l;
    l.max_pickle_opcodes = 1u << 20;
    l.max_pickle_nodes = 1u << 16;
    return l;
  }();
  static const auto allowlist = *pickle::Allowlist::from_profiles({"torch"}, {});
  static const int sink = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  pickle::MachineOptions o;
  o.allowlist = &allowlist;
  o.limits = &limits;
  o.retain_data = true;
  o.loader_has_persistent_load = true;
  auto stream = pickle::run_machine(ByteView(data, size), 0, "fuzz", o);
  if (!stream.complete) return 0;
  ReconstructOptions ro;
  ro.max_tensors = 4096;
  auto state = reconstruct_state_dict(stream, ro);
  if (!state) return 0;
  auto views = convert::distinct_views(state->tensors);
  std::vector<convert::HeaderEntry> entries;
  for (const auto* t : views.written) entries.push_back({t->name, t->dtype, t->shape, t->byte_size});
  std::map<std::string, std::string> metadata(state->metadata.begin(), state->metadata.end());
  auto layout = convert::layout_header(entries, metadata);
  if (!layout) return 0;
  convert::TensorCopier copier(-1, 4096);
  std::uint64_t budget = 64u << 20;  // bytes copied per input, so that huge views do not stall the fuzzer
  for (std::size_t i : layout->order) {
    const auto* t = views.written[i];
    if (t->storage_bytes > (1u << 20) || t->byte_size > budget) continue;
    budget -= t->byte_size;
    std::vector<std::uint8_t> storage(static_cast<std::size_t>(t->storage_bytes));
    convert::StorageBytes s;
    s.bytes = ByteView(storage.data(), storage.size());
    if (!copier.copy(sink, *t, s)) __builtin_trap();  // reconstruction bounds-checked it
  }
  return 0;
}
