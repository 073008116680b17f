#pragma once
// A torch.save checkpoint opened for conversion: its data pickle re-run with the value graph
// retained, and each storage's bytes. Zip checkpoints (any archive folder name) are read the way
// torch.load reads them; legacy checkpoints are walked pickle by pickle, then storage by storage.
// Stored zip members and legacy storages are views of the input, with their file offset, so the
// writer can copy them file-to-file.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "container/zip_reader.h"
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
  const std::string& layout() const { return layout_; }  // "pytorch-zip" or "pytorch-legacy"

  // The bytes of storage `key`; a ParseError when it is missing or shorter than `nbytes`.
  Expected<StorageBytes> storage(const std::string& key, std::uint64_t nbytes) const;

 private:
  static Expected<CheckpointSource> open_zip(ByteView file, const pickle::Allowlist& allowlist,
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
  // legacy: key -> (offset, size) of the raw storage bytes in the file
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> legacy_storages_;
};

}  // namespace modelgate::convert
