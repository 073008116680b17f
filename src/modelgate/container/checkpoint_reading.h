#pragma once
// What a torch checkpoint scanner read, kept for a reader after the scan when the one who asked for
// the scan wants it (Artifact::checkpoint_reading; `convert` does): the container's directory or
// layout and the pickles torch.load runs, with their data retained, so that the conversion plan is
// built from the scan's own reading and no file is parsed twice.
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "container/torch_tar.h"
#include "readers/zip_reader.h"
#include "core/bytes.h"
#include "pickle/machine.h"

namespace modelgate {

// A pytorch-zip checkpoint (or TorchScript archive): the directory, and the data pickle's first
// stream as torch.load unpickles it.
struct TorchZipReading {
  std::shared_ptr<const zip::Archive> archive;
  std::optional<std::size_t> data_member;         // the member `data` is of, when it was run
  std::shared_ptr<const ByteSource> data_owner;  // an inflated data.pkl, which `data`'s graph points into
  pickle::StreamResult data;
};

// A pre-1.0 tar checkpoint: its layout and the first stream of its `pickle` member.
struct TorchTarReading {
  TorchTarLayout layout;
  std::optional<pickle::StreamResult> data;
};

// A legacy checkpoint: its pickles from offset 0 (magic number, protocol version, system info, data,
// storage keys), as far as they were read.
struct TorchLegacyReading {
  std::vector<pickle::StreamResult> streams;
};

// A sharded checkpoint's index (pytorch_model.bin.index.json) as the JSON scanner read it: the
// document, its weight_map and metadata materialised whatever the file's size.
struct WeightIndexReading {
  nlohmann::json document;
};

// Where the scan of one file leaves the checkpoint readings of that file's own bytes. Every reading
// a scanner takes of them is kept, one per layout; a second one of the same layout makes the
// reading ambiguous.
class CheckpointReadingSlot {
 public:
  void keep(ByteView of, TorchZipReading r) { keep_into(zip_, of, std::move(r)); }
  void keep(ByteView of, TorchTarReading r) { keep_into(tar_, of, std::move(r)); }
  void keep(ByteView of, TorchLegacyReading r) { keep_into(legacy_, of, std::move(r)); }
  void keep(ByteView of, WeightIndexReading r) { keep_into(weight_index_, of, std::move(r)); }

  // The reading of each layout, null when none was kept.
  const TorchZipReading* zip() const { return zip_ ? &zip_->reading : nullptr; }
  const TorchTarReading* tar() const { return tar_ ? &tar_->reading : nullptr; }
  const TorchLegacyReading* legacy() const { return legacy_ ? &legacy_->reading : nullptr; }
  const WeightIndexReading* weight_index() const { return weight_index_ ? &weight_index_->reading : nullptr; }
  bool ambiguous() const { return ambiguous_; }
  // True when every kept reading is of exactly `bytes` (the same memory, not equal contents).
  bool all_of(ByteView bytes) const {
    auto same = [&](ByteView v) { return v.data() == bytes.data() && v.size() == bytes.size(); };
    return (!zip_ || same(zip_->of)) && (!tar_ || same(tar_->of)) && (!legacy_ || same(legacy_->of)) &&
           (!weight_index_ || same(weight_index_->of));
  }

 private:
  template <typename R>
  struct Kept {
    ByteView of;
    R reading;
  };
  template <typename R>
  void keep_into(std::optional<Kept<R>>& slot, ByteView of, R r) {
    if (slot) ambiguous_ = true;
    slot = Kept<R>{of, std::move(r)};
  }

  std::optional<Kept<TorchZipReading>> zip_;
  std::optional<Kept<TorchTarReading>> tar_;
  std::optional<Kept<TorchLegacyReading>> legacy_;
  std::optional<Kept<WeightIndexReading>> weight_index_;
  bool ambiguous_ = false;
};

}  // namespace modelgate
