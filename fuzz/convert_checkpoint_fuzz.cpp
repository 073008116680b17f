// A whole checkpoint file through conversion: the zip or legacy layout, the data pickle, state
// dict reconstruction, storage lookup (stored, deflated, legacy tail), byte order, and every
// tensor copied into /dev/null. The scan gate is skipped on purpose: this is what stands behind it.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "convert/checkpoint_source.h"
#include "convert/safetensors_writer.h"
#include "convert/shared_views.h"
#include "convert/state_dict_reconstruction.h"
#include "convert/tensor_copy.h"

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
  auto source = convert::CheckpointSource::open(ByteView(data, size), allowlist, limits);
  if (!source) return 0;
  convert::ReconstructOptions ro;
  ro.max_tensors = 4096;
  auto state = convert::reconstruct_state_dict(source->data(), ro);
  if (!state) return 0;
  auto views = convert::distinct_views(state->tensors);
  std::vector<convert::HeaderEntry> entries;
  for (const auto* t : views.written) entries.push_back({t->name, t->dtype, t->shape, t->byte_size});
  auto layout = convert::layout_header(entries, state->metadata);
  if (!layout) return 0;
  convert::TensorCopier copier(-1, 4096);
  std::uint64_t budget = 64u << 20;
  for (std::size_t i : layout->order) {
    const auto* t = views.written[i];
    if (t->byte_size > budget) continue;
    budget -= t->byte_size;
    auto s = source->storage(t->storage_key, t->storage_bytes);
    if (!s) continue;
    if (!copier.copy(sink, *t, *s, source->big_endian() && t->element_size > 1)) __builtin_trap();
  }
  return 0;
}
