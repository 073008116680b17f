#pragma once
// PyTorch's persistent ids for tensor storages, as written by torch.save:
//   zip format:    ('storage', torch.<Type>Storage, key, location, numel)
//   legacy format: ('storage', torch.<Type>Storage, root_key, location, numel, view_metadata)
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.h"
#include "modelgate/report.h"
#include "pickle/machine.h"

namespace modelgate {

struct StorageRef {
  std::string type;      // e.g. "FloatStorage" (torch.<type>)
  std::string key;       // record name under data/
  std::string location;  // "cpu", "cuda:0"
  std::uint64_t numel = 0;
  std::uint64_t element_size = 0;  // 0 when the type is unknown
  std::uint64_t offset = 0;        // offset of the persistent id in the pickle
  bool has_view_metadata = false;  // legacy: a (view_key, offset, size) storage view
};

// Bytes per element of torch.<type>Storage; 0 when unknown.
std::uint64_t storage_element_size(std::string_view type);

// Counts a storage (torch.<type>, numel elements) that a checkpoint holds into the model facts: its elements into `parameters` (a
// storage shared by several tensors counts once) and one storage of its dtype into `dtypes`.
void add_storage_facts(std::string_view type, std::uint64_t numel, ModelFacts& facts);

// Decodes one storage persistent id (the persistent value or its pid tuple); an error when it does
// not have the storage shape.
Expected<StorageRef> decode_storage_ref(const pickle::ValueGraph& g, pickle::Value pid);

// Decodes the storage persistent ids of a stream. Ids that do not have the storage shape are
// returned in `malformed` as descriptions (a loader would fail on them or run something else).
std::vector<StorageRef> storage_refs(const pickle::StreamResult& r, std::vector<std::string>& malformed);

}  // namespace modelgate
