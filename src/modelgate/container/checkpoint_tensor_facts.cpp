#include "container/checkpoint_tensor_facts.h"

namespace modelgate {

namespace {

// The tensor's place: its storage record, or its storage's offset in the file added to its range.
bool place(const TensorRecord& t, const StoragePlaces& places, TensorFacts& f) {
  if (!places.file_offsets) {
    f.storage = places.record_folder + t.storage_key;
    return true;
  }
  auto at = places.file_offsets->find(t.storage_key);
  if (at == places.file_offsets->end() || f.end > UINT64_MAX - at->second) return false;
  if (f.end > f.begin) {
    f.begin += at->second;
    f.end += at->second;
  }
  return true;
}

}  // namespace

void list_state_dict_tensors(const pickle::StreamResult& data, const StoragePlaces& places, const Limits& limits,
                             ModelFacts& facts, const ReconstructOptions& base) {
  if (!data.complete || !data.retained_data || !data.graph) return;
  ReconstructOptions o = base;
  o.max_depth = limits.max_convert_depth;
  o.max_tensors = limits.max_tensors;
  o.max_visits = limits.max_convert_visits;
  o.max_text = limits.max_convert_text;
  o.keep_metadata = false;
  auto state = reconstruct_state_dict(data, o);
  if (!state) return;
  std::vector<TensorFacts> listed;
  const bool list = state->tensors.size() <= limits.max_listed_tensors;
  if (list) listed.reserve(state->tensors.size());
  for (const TensorRecord& t : state->tensors) {
    auto extent = view_extent(t.shape, t.strides, t.offset, t.element_size);
    if (!extent) return;  // reconstruct_state_dict checked every view
    TensorFacts f;
    if (extent->byte_size > 0) {  // an empty view covers no bytes: its range stays [0, 0)
      f.begin = t.offset * t.element_size;
      f.end = extent->end_bytes;
    }
    if (!place(t, places, f)) return;
    if (!list) continue;
    f.name = t.name;
    f.dtype = std::string(safetensors::dtype_name(t.dtype));
    f.shape = t.shape;
    listed.push_back(std::move(f));
  }
  facts.tensor_count = state->tensors.size();
  facts.tensors = std::move(listed);
}

}  // namespace modelgate
