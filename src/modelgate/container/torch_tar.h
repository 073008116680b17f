#pragma once
// PyTorch's pre-1.0 tar checkpoint, read the way torch.load's legacy_load reads it (torch 1.13,
// serialization.py): Python's tarfile opens the file, getmember() takes the LAST member of a name,
//   storages: pickle(count), count x [pickle((key, location, storage_type)), int64 numel, raw bytes],
//             pickle([(view_key, root_key, offset, numel), ...])
//   tensors:  pickle(count), count x [pickle((key, storage_key, tensor_type)), int32 ndim, 4 unused
//             bytes, ndim x int64 sizes, ndim x int64 strides, int64 storage_offset]
//   pickle:   the object, whose persistent ids are keys of storages, views or tensors
//   sys_info: written by torch.save, never read by torch.load.
// Every pickle is a code-execution channel; all of them go through the pickle machine.
//
// The layout below is what `convert` builds its plan on: where each storage's bytes are in the file
// and how tensors map onto them. Scanning never reads the storage bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pickle/value.h"
#include "artifact/nested_scan.h"

namespace modelgate {

struct TorchTarStorage {
  std::string key;       // Python repr of the record key: 140234 or 'abc'
  std::string location;  // "cpu", "cuda:0"
  std::string type;      // "FloatStorage"
  std::uint64_t element_size = 0;
  std::uint64_t numel = 0;
  std::uint64_t data_offset = 0;  // in the tar file
};

struct TorchTarView {
  std::string key, root_key;
  std::uint64_t offset = 0, numel = 0;  // in elements of the root storage
};

struct TorchTarTensor {
  std::string key, storage_key, type;
  std::vector<std::int64_t> sizes, strides;
  std::int64_t storage_offset = 0;
};

struct TorchTarLayout {
  std::vector<TorchTarStorage> storages;
  std::vector<TorchTarView> views;
  std::vector<TorchTarTensor> tensors;
  std::uint64_t pickle_offset = 0, pickle_size = 0;  // the `pickle` member in the tar file
  bool complete = false;  // every record was walked without a refusing finding
};

// The key `deserialized_objects[int(saved_id)]` looks up for a persistent id of the `pickle` member,
// spelled as TorchTarStorage::key spells an integer key; nullopt for an id that lookup cannot take
// (strings Python's int() would still accept, such as " 7" or "+7", are refused too).
std::optional<std::string> torch_tar_pid_key(const pickle::ValueGraph& g, const pickle::Value& v);

// True when the bytes are an uncompressed tar that holds a `storages`, `tensors` or `pickle`
// member as tarfile sees it: torch.load reads such a file with legacy_load.
bool looks_like_torch_tar(ByteView bytes, const Limits& limits);

// Scans the checkpoint into `report` (findings, one child per member) and returns its layout; with
// a.checkpoint_reading, the layout and the `pickle` member's stream (retained) are kept there.
TorchTarLayout read_torch_tar(const Artifact& a, NestedScan& ctx, ArtifactReport& report);

// A pickle at offset 0 of an uncompressed tar: torch.load runs it when tarfile raises on the
// archive. Reports it (MG-TORCH-TAR-POLYGLOT and the pickle's findings); true when found.
bool report_pickle_at_tar_start(const Artifact& a, NestedScan& ctx, ArtifactReport& report);

void scan_torch_tar(const Artifact& a, NestedScan& ctx, ArtifactReport& report);

}  // namespace modelgate
