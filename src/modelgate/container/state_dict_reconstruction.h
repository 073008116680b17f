#pragma once
// Rebuilds a checkpoint's state dict from the pickle machine's retained value graph, without
// running anything: dicts and OrderedDicts (nested keys joined with '.', as Hugging Face does),
// the tensor rebuild functions of torch._utils, storages as persistent ids (tensors, for the tar layout). The result says, for
// every tensor, which storage bytes make it up; scalars become metadata; the rest is listed.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/expected.h"
#include "readers/safetensors.h"
#include "pickle/machine.h"

namespace modelgate {

struct TensorRecord {
  std::string name;                  // dotted path
  safetensors::Dtype dtype = safetensors::Dtype::U8;
  unsigned element_size = 1;
  std::vector<std::uint64_t> shape;
  std::vector<std::uint64_t> strides;  // in elements
  std::uint64_t offset = 0;            // storage offset, in elements
  std::string storage_key;
  std::uint64_t storage_bytes = 0;     // the storage's size as its persistent id declares it
  std::uint64_t byte_size = 0;         // numel * element_size
  bool contiguous = true;              // a plain byte range of the storage
  std::uint64_t pickle_offset = 0;     // where the tensor is built, for messages
};

// What a view (shape, strides and offset in elements) reads of its storage: `byte_size` bytes,
// from a range ending at `end_bytes` (UINT64_MAX when that end is not representable); `contiguous`
// when those bytes are one plain range. Nothing when the element count or byte size overflows
// (`why` says which).
struct ViewExtent {
  std::uint64_t byte_size = 0;
  std::uint64_t end_bytes = 0;
  bool contiguous = true;
};
Expected<ViewExtent> view_extent(const std::vector<std::uint64_t>& shape, const std::vector<std::uint64_t>& strides,
                                 std::uint64_t offset, std::uint64_t element_size);

struct StateDict {
  std::vector<TensorRecord> tensors;             // in pickle order
  std::map<std::string, std::string> metadata;   // scalars, as Python's str() prints them
  std::vector<std::string> dropped;              // "path: what it is"
};

struct ReconstructOptions {
  std::string key;                 // dotted path of the sub-dict to convert ("" = the root)
  // Limits::max_convert_depth, max_tensors, max_convert_visits and max_convert_text.
  std::uint32_t max_depth = Limits{}.max_convert_depth;
  std::uint64_t max_tensors = Limits{}.max_tensors;
  std::uint64_t max_visits = Limits{}.max_convert_visits;
  std::uint64_t max_text = Limits{}.max_convert_text;
  // Keep the scalars (StateDict::metadata) and notes on what was dropped; a reader that wants only
  // the tensors leaves both empty.
  bool keep_metadata = true;
  // The pre-1.0 tar layout: tensors are persistent ids, looked up here by torch_tar_pid_key.
  const std::map<std::string, TensorRecord>* persistent_tensors = nullptr;
};

// An Error when the root (or --key) is not a mapping, when a tensor cannot be converted
// exactly (quantized, sparse, complex, meta, unknown rebuild, out-of-bounds view), or when two
// values would get the same name.
Expected<StateDict> reconstruct_state_dict(const pickle::StreamResult& data, const ReconstructOptions& options);

}  // namespace modelgate
