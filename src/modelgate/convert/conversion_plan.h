#pragma once
// What writing one checkpoint as safetensors needs, read from it once: the tensors to write (one
// per distinct view, in input order), __metadata__, the aliases and what was dropped, and where
// each storage's bytes are: a range of the input file, or the inflated bytes of a compressed record.
// It is built from the scan's own reading of the checkpoint (container/checkpoint_reading.h), where
// the checkpoint is scanned (a confined worker, or this process with `--sandbox off`), and checked
// by the process that writes before anything is copied.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "container/checkpoint_reading.h"
#include "container/state_dict_reconstruction.h"
#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::convert {

struct PlannedStorage {
  std::uint64_t file_offset = 0;  // where the bytes are in the input, unless `owner` is set
  std::uint64_t size = 0;
  std::shared_ptr<const ByteSource> owner;  // holds the inflated bytes of a compressed record
  ByteView inflated;                        // those bytes, `size` of them
};

struct ConversionPlan {
  std::vector<TensorRecord> tensors;
  std::map<std::string, std::string> metadata;                // __metadata__
  std::vector<std::pair<std::string, std::string>> aliases;  // name -> written name
  std::vector<std::string> dropped;                          // "path: what it is"
  std::map<std::string, PlannedStorage> storages;            // every storage a tensor reads
};

// True for the formats convert reads: torch.save zip, legacy and pre-1.0 tar checkpoints.
bool is_checkpoint_format(const std::string& format);

// Takes the torch.save checkpoint `file` (zip, tar or legacy layout) as its scan read it the way
// torch.load would (`read`: what that scan of exactly these bytes kept), rebuilds the state dict
// under `key` ("" = the root) and plans its output. The error's reason is the refusal, naming the
// offset; a reading that is missing or not of these bytes is refused, never planned from.
Expected<ConversionPlan> plan_conversion(ByteView file, const CheckpointReadingSlot& read, const std::string& key,
                                         const Limits& limits);

// Checks a plan built elsewhere (possibly by a compromised worker) against the input's size: every
// tensor's dtype, sizes and view inside a storage it names, every storage inside the file, names
// unique, aliases naming written tensors. The writer relies on nothing else.
Expected<bool> check_plan(const ConversionPlan& plan, std::uint64_t file_size, const Limits& limits);

}  // namespace modelgate::convert
