#include "convert/conversion_plan.h"

#include <set>

#include "convert/checkpoint_source.h"
#include "convert/shared_views.h"

namespace modelgate::convert {

bool is_checkpoint_format(const std::string& format) {
  return format == "pytorch-zip" || format == "pytorch-legacy" || format == "pytorch-legacy-tar";
}

Expected<ConversionPlan> plan_conversion(ByteView file, const CheckpointReadingSlot& read, const std::string& key,
                                         const Limits& limits) {
  auto source = CheckpointSource::from_reading(file, read, limits);
  if (!source)
    return parse_error(source.error().offset, "at offset " + std::to_string(source.error().offset) + ": " + source.error().reason);
  ReconstructOptions ro;
  ro.key = key;
  ro.max_tensors = limits.max_tensors;
  ro.max_depth = limits.max_convert_depth;
  ro.max_visits = limits.max_convert_visits;
  ro.max_text = limits.max_convert_text;
  if (source->layout() == "pytorch-legacy-tar") ro.persistent_tensors = &source->persistent_tensors();
  auto state = reconstruct_state_dict(source->data(), ro);
  if (!state) {
    std::string where = source->layout() == "pytorch-zip"          ? "data.pkl"
                        : source->layout() == "pytorch-legacy-tar" ? "the `pickle` member"
                                                                   : "the data pickle";
    return parse_error(state.error().offset, where + " at offset " + std::to_string(state.error().offset) + ": " +
                                                 state.error().reason);
  }
  ConversionPlan plan;
  DistinctViews views = distinct_views(state->tensors);
  // __metadata__: format=pt (transformers refuses safetensors metadata without it), the checkpoint's
  // scalars, then aliases where their name is not taken, as save_model does.
  plan.metadata["format"] = "pt";
  plan.dropped = state->dropped;
  for (const auto& [k, v] : state->metadata) {
    if (k == "format") {
      plan.dropped.push_back("format: " + v + " (the metadata key 'format' holds \"pt\")");
      continue;
    }
    plan.metadata[k] = v;
  }
  for (const auto& [name, kept] : views.aliases) plan.metadata.emplace(name, kept);
  plan.aliases = views.aliases;
  for (const TensorRecord* t : views.written) {
    plan.tensors.push_back(*t);
    if (plan.storages.count(t->storage_key) != 0) continue;
    auto s = source->storage(t->storage_key, t->storage_bytes);
    if (!s) return parse_error(s.error().offset, "tensor '" + t->name + "': " + s.error().reason);
    PlannedStorage& p = plan.storages[t->storage_key];
    p.size = s->bytes.size();
    if (s->file_offset) {
      p.file_offset = *s->file_offset;
    } else {
      p.owner = s->owner;
      p.inflated = s->bytes;
    }
  }
  return plan;
}

Expected<bool> check_plan(const ConversionPlan& plan, std::uint64_t file_size, const Limits& limits) {
  if (plan.tensors.size() > limits.max_tensors)
    return parse_error(0, "more than max_tensors (" + std::to_string(limits.max_tensors) + ") tensors");
  std::set<std::string_view> names, used_storages;
  for (const auto& t : plan.tensors) {
    auto bad = [&](const std::string& why) { return parse_error(t.pickle_offset, "tensor '" + t.name + "': " + why); };
    if (t.name.empty()) return parse_error(t.pickle_offset, "a tensor has no name");
    if (!names.insert(t.name).second) return bad("the name is given twice");
    const unsigned bits = safetensors::dtype_bits(t.dtype);
    if (bits == 0 || bits % 8 != 0 || t.element_size != bits / 8) return bad("the element size does not match the dtype");
    if (t.shape.size() > 64) return bad("more than 64 dimensions");
    auto extent = view_extent(t.shape, t.strides, t.offset, t.element_size);
    if (!extent) return bad(extent.error().reason);
    if (extent->byte_size != t.byte_size || extent->contiguous != t.contiguous)
      return bad("its byte size or layout does not follow from its shape and strides");
    auto s = plan.storages.find(t.storage_key);
    if (s == plan.storages.end()) return bad("storage '" + t.storage_key + "' is not in the plan");
    if (t.storage_bytes > s->second.size || extent->end_bytes > t.storage_bytes)
      return bad("the view runs past the end of storage '" + t.storage_key + "'");
    used_storages.insert(t.storage_key);
  }
  for (const auto& [key, s] : plan.storages) {
    if (used_storages.count(key) == 0) return parse_error(0, "storage '" + key + "' is planned but no tensor reads it");
    if (s.owner ? s.inflated.size() != s.size : (s.file_offset > file_size || s.size > file_size - s.file_offset))
      return parse_error(s.file_offset, "storage '" + key + "' is not inside the input");
  }
  std::set<std::string_view> alias_names;
  for (const auto& [alias, kept] : plan.aliases)
    if (names.count(alias) != 0 || names.count(kept) == 0 || !alias_names.insert(alias).second)
      return parse_error(0, "alias '" + alias + "' does not name one more name of a written tensor");
  return true;
}

}  // namespace modelgate::convert
