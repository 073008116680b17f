#include "container/torch_tar_tensors.h"

#include <set>

#include "container/tensor_dtype.h"

namespace modelgate {

Expected<std::map<std::string, TensorRecord>> torch_tar_tensor_records(const TorchTarLayout& layout) {
  std::map<std::string, TensorRecord> records;
  struct Slice {  // a storage or a view of one: elements [offset, offset + numel) of storages[root]
    std::size_t root = 0;
    std::uint64_t offset = 0, numel = 0;
  };
  std::map<std::string, Slice> slices;
  std::set<std::string> keys;
  auto fresh = [&](const std::string& key) { return keys.insert(key).second; };
  for (std::size_t i = 0; i < layout.storages.size(); ++i) {
    const TorchTarStorage& st = layout.storages[i];
    if (!fresh(st.key)) return parse_error(st.data_offset, "storage key " + st.key + " is written twice");
    slices[st.key] = {i, 0, st.numel};
  }
  for (const TorchTarView& v : layout.views) {
    if (!fresh(v.key)) return parse_error(0, "storage view key " + v.key + " is also the key of another record");
    auto root = slices.find(v.root_key);
    if (root == slices.end()) return parse_error(0, "storage view " + v.key + " refers to unknown storage " + v.root_key);
    // UntypedStorage slicing clamps a range past the end, so torch would load a shorter view.
    if (v.offset > root->second.numel || v.numel > root->second.numel - v.offset)
      return parse_error(0, "storage view " + v.key + " runs past the end of storage " + v.root_key);
    slices[v.key] = {root->second.root, root->second.offset + v.offset, v.numel};
  }
  for (const TorchTarTensor& t : layout.tensors) {
    if (!fresh(t.key)) return parse_error(0, "tensor key " + t.key + " is also the key of another record");
    auto slice = slices.find(t.storage_key);
    if (slice == slices.end())
      return parse_error(0, "tensor " + t.key + " uses " + t.storage_key + ", which is no storage or storage view");
    const TorchTarStorage& root = layout.storages[slice->second.root];
    auto mapping = dtype_of_storage(root.type);
    if (!mapping.dtype) return parse_error(root.data_offset, "tensor " + t.key + ": " + mapping.why);
    TensorRecord rec;
    rec.dtype = *mapping.dtype;
    rec.element_size = mapping.element_size;
    rec.storage_key = root.key;
    rec.storage_bytes = root.numel * root.element_size;
    if (t.storage_offset < 0) return parse_error(0, "tensor " + t.key + " has a negative storage offset");
    for (std::size_t d = 0; d < t.sizes.size(); ++d) {
      if (t.sizes[d] < 0 || t.strides[d] < 0) return parse_error(0, "tensor " + t.key + " has a negative size or stride");
      rec.shape.push_back(static_cast<std::uint64_t>(t.sizes[d]));
      rec.strides.push_back(static_cast<std::uint64_t>(t.strides[d]));
    }
    auto inside = view_extent(rec.shape, rec.strides, static_cast<std::uint64_t>(t.storage_offset), rec.element_size);
    if (!inside) return parse_error(0, "tensor " + t.key + ": " + inside.error().reason);
    if (inside->byte_size != 0 && inside->end_bytes > slice->second.numel * rec.element_size)
      return parse_error(0, "tensor " + t.key + " reaches past the end of " + t.storage_key);
    rec.offset = slice->second.offset + static_cast<std::uint64_t>(t.storage_offset);
    auto extent = view_extent(rec.shape, rec.strides, rec.offset, rec.element_size);
    if (!extent) return parse_error(0, "tensor " + t.key + ": " + extent.error().reason);
    rec.byte_size = extent->byte_size;
    rec.contiguous = extent->contiguous;
    records.emplace(t.key, std::move(rec));
  }
  return records;
}

}  // namespace modelgate
