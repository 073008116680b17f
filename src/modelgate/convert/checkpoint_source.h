#pragma once
// A torch.save checkpoint as its scan read it, for conversion: the data pickle's stream with the value
// graph retained, and each storage's bytes. torch.load's order of readings is kept: a zip (any archive
// folder name), else a tar that tarfile opens (the pre-1.0 layout), else the legacy pickle sequence,
// pickle by pickle, then storage by storage. Nothing here runs the pickle machine or reads a container
// directory again: both come from the scan (container/checkpoint_reading.h).
// Stored zip members, tar storages and legacy storages are views of the input, with their file
// offset, so the writer can copy them file-to-file.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "container/checkpoint_reading.h"
#include "container/state_dict_reconstruction.h"
#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::convert {

struct StorageBytes {
  ByteView bytes;
  std::optional<std::uint64_t> file_offset;      // set when `bytes` are a verbatim range of the input
  std::shared_ptr<const ByteSource> owner;       // keeps inflated bytes alive
};

class CheckpointSource {
 public:
  // The checkpoint `file` from `read`, what the scan of exactly these bytes kept; `file` and `read`
  // must outlive the source. Errors name the offset and what torch.load would not accept, or why the
  // scan's reading cannot be used (none, two of one layout, of other bytes, of another record).
  static Expected<CheckpointSource> from_reading(ByteView file, const CheckpointReadingSlot& read,
                                                 const Limits& limits);

  const pickle::StreamResult& data() const { return *data_; }
  // "pytorch-zip", "pytorch-legacy-tar" or "pytorch-legacy"
  const std::string& layout() const { return layout_; }
  // A tar checkpoint's tensors, by the key its `pickle` member's persistent ids look up (names
  // empty): what reconstruct_state_dict resolves those ids to. Empty for the other layouts.
  const std::map<std::string, TensorRecord>& persistent_tensors() const { return tar_tensors_; }

  // The bytes of storage `key`; an Error when it is missing or shorter than `nbytes`.
  Expected<StorageBytes> storage(const std::string& key, std::uint64_t nbytes) const;

 private:
  static Expected<CheckpointSource> from_zip(ByteView file, const TorchZipReading& read, const Limits& limits);
  static Expected<CheckpointSource> from_tar(ByteView file, const TorchTarReading& read, const Limits& limits);
  static Expected<CheckpointSource> from_legacy(ByteView file, const TorchLegacyReading& read);

  ByteView file_;
  const Limits* limits_ = nullptr;
  std::shared_ptr<UnpackBudget> budget_;  // inflated records of this checkpoint
  std::string layout_;
  const pickle::StreamResult* data_ = nullptr;  // in the scan's reading
  // zip
  std::shared_ptr<const zip::Archive> archive_;
  std::string prefix_;
  // legacy and tar: key -> (offset, size) of the raw storage bytes in the file
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> raw_storages_;
  std::map<std::string, TensorRecord> tar_tensors_;
};

}  // namespace modelgate::convert
