#pragma once
// A torch.save checkpoint opened for conversion: its data pickle re-run with the value graph
// retained, and each storage's bytes. torch.load's order of readings is kept: a zip (any archive
// folder name), else a tar that tarfile opens (the pre-1.0 layout, read by the scanner's own tar
// reader), else the legacy pickle sequence, walked pickle by pickle, then storage by storage.
// Stored zip members, tar storages and legacy storages are views of the input, with their file
// offset, so the writer can copy them file-to-file.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "container/zip_reader.h"
#include "convert/state_dict_reconstruction.h"
#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"
#include "pickle/allowlist.h"
#include "pickle/machine.h"

namespace modelgate::convert {

struct StorageBytes {
  ByteView bytes;
  std::optional<std::uint64_t> file_offset;      // set when `bytes` are a verbatim range of the input
  std::shared_ptr<const ByteSource> owner;       // keeps inflated bytes alive
};

class CheckpointSource {
 public:
  // `file` must outlive the source. Errors name the offset and what torch.load would not accept.
  static Expected<CheckpointSource> open(ByteView file, const pickle::Allowlist& allowlist,
                                         const Limits& limits);

  const pickle::StreamResult& data() const { return data_; }
  bool big_endian() const { return big_endian_; }
  // "pytorch-zip", "pytorch-legacy-tar" or "pytorch-legacy"
  const std::string& layout() const { return layout_; }
  // A tar checkpoint's tensors, by the key its `pickle` member's persistent ids look up (names
  // empty): what reconstruct_state_dict resolves those ids to. Empty for the other layouts.
  const std::map<std::string, TensorRecord>& persistent_tensors() const { return tar_tensors_; }

  // The bytes of storage `key`; a ParseError when it is missing or shorter than `nbytes`.
  Expected<StorageBytes> storage(const std::string& key, std::uint64_t nbytes) const;

 private:
  static Expected<CheckpointSource> open_zip(ByteView file, const pickle::Allowlist& allowlist,
                                             const Limits& limits);
  static Expected<CheckpointSource> open_tar(ByteView file, const pickle::Allowlist& allowlist,
                                             const Limits& limits);
  static Expected<CheckpointSource> open_legacy(ByteView file, const pickle::Allowlist& allowlist,
                                                const Limits& limits);

  ByteView file_;
  const Limits* limits_ = nullptr;
  std::shared_ptr<UnpackBudget> budget_;  // inflated records of this checkpoint
  std::string layout_;
  bool big_endian_ = false;
  pickle::StreamResult data_;
  std::shared_ptr<const ByteSource> pickle_owner_;  // an inflated data.pkl
  // zip
  std::shared_ptr<zip::Archive> archive_;
  std::string prefix_;
  // legacy and tar: key -> (offset, size) of the raw storage bytes in the file
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> raw_storages_;
  std::map<std::string, TensorRecord> tar_tensors_;
};

}  // namespace modelgate::convert
