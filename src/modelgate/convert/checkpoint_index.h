#pragma once
// pytorch_model.bin.index.json as converting a directory needs it: which files hold the weights
// (the values of its weight_map) and the metadata carried into model.safetensors.index.json. It is
// taken from the scan's own reading of the file (WeightIndexReading: the JSON scanner's document)
// where files are parsed (the parse worker that scanned it, or this process with `--sandbox off`)
// and crosses to the converting process as an attachment that process decodes strictly:
//
//   attachment := "MGCI" u8 version(=1) u8 kind, then
//     kind 1 (refused): str reason
//     kind 2 (index):   u32 n, str*n weight files (sorted, distinct), str metadata (a JSON object)
//   str        := u32 length, bytes                                  (little-endian throughout)
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::convert {

inline constexpr const char* kCheckpointIndexName = "pytorch_model.bin.index.json";

struct CheckpointIndex {
  std::set<std::string> weight_files;               // relative to the index's directory
  nlohmann::json metadata = nlohmann::json::object();  // the index's "metadata" object, or empty
};

// The index in `document` (the strict JSON reader's, core/strict_json.h): an object whose weight_map
// is an object of strings; metadata, when present, an object; no more values than the DOM bound
// of an index. The error says what is wrong.
Expected<CheckpointIndex> checkpoint_index_of(const nlohmann::json& document, const Limits& limits);

std::vector<std::uint8_t> encode_index_attachment(const Expected<CheckpointIndex>& index);

// The index, the worker's refusal, or an error naming the malformed byte. The metadata is read
// again with the strict reader and must be an object.
Expected<CheckpointIndex> decode_index_attachment(ByteView bytes, const Limits& limits);

}  // namespace modelgate::convert
