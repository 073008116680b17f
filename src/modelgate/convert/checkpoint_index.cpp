#include "convert/checkpoint_index.h"

#include <cstring>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/strict_json.h"

namespace modelgate::convert {

namespace {

constexpr char kIndexMagic[4] = {'M', 'G', 'C', 'I'};
constexpr std::uint8_t kIndexVersion = 1;
constexpr std::uint8_t kIndexRefused = 1, kIndexEntries = 2;

JsonReadOptions index_options(const Limits& limits) {
  JsonReadOptions o;
  o.max_depth = limits.max_json_depth;
  // An entry per tensor and a few for the metadata (safetensors headers are bounded the same way).
  o.max_values = limits.max_tensors * 4 + (1u << 16);
  return o;
}

// Every value of the DOM under `v`, itself included (its depth is the reader's bound).
std::uint64_t count_values(const nlohmann::json& v) {
  std::uint64_t n = 1;
  if (v.is_structured())
    for (const auto& item : v) n += count_values(item);
  return n;
}

}  // namespace

Expected<CheckpointIndex> checkpoint_index_of(const nlohmann::json& j, const Limits& limits) {
  auto map = j.is_object() ? j.find("weight_map") : j.end();
  if (!j.is_object() || map == j.end() || !map->is_object())
    return parse_error(0, "the checkpoint index has no weight_map object");
  auto metadata = j.find("metadata");
  if (metadata != j.end() && !metadata->is_object()) return parse_error(0, "the checkpoint index's metadata is not an object");
  const std::uint64_t values = 2 + map->size() + (metadata != j.end() ? count_values(*metadata) : 0);
  if (values > index_options(limits).max_values)
    return parse_error(0, "the checkpoint index holds more than " + std::to_string(index_options(limits).max_values) + " values");
  CheckpointIndex index;
  for (const auto& [tensor, file] : map->items()) {
    if (!file.is_string()) return parse_error(0, "the checkpoint index maps '" + tensor + "' to something that is not a file name");
    index.weight_files.insert(file.get<std::string>());
  }
  if (metadata != j.end()) index.metadata = *metadata;
  return index;
}

std::vector<std::uint8_t> encode_index_attachment(const Expected<CheckpointIndex>& index) {
  ByteWriter w;
  for (char c : kIndexMagic) w.u8(static_cast<std::uint8_t>(c));
  w.u8(kIndexVersion);
  if (!index) {
    w.u8(kIndexRefused);
    w.str(index.error().reason);
    return std::move(w.bytes());
  }
  w.u8(kIndexEntries);
  w.u32(static_cast<std::uint32_t>(index->weight_files.size()));
  for (const auto& f : index->weight_files) w.str(f);
  w.str(index->metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return std::move(w.bytes());
}

Expected<CheckpointIndex> decode_index_attachment(ByteView bytes, const Limits& limits) {
  ByteReader in(bytes);
  auto fail = [&](const char* why) {
    return parse_error(in.offset(), "the parse worker's checkpoint index at byte " + std::to_string(in.offset()) + ": " + why);
  };
  ByteView magic;
  std::uint8_t version = 0, kind = 0;
  if (!in.bytes(4, magic) || std::memcmp(magic.data(), kIndexMagic, 4) != 0) return fail("not a checkpoint index");
  if (!in.u8(version) || version != kIndexVersion) return fail("unknown version");
  if (!in.u8(kind)) return fail("truncated");
  if (kind == kIndexRefused) {
    std::string reason;
    if (!in.sized(reason) || !in.at_end()) return fail("malformed refusal");
    return parse_error(0, reason);
  }
  if (kind != kIndexEntries) return fail("unknown kind");
  CheckpointIndex index;
  std::uint32_t n = 0;
  if (!in.count(n, 4)) return fail("file count out of range");
  std::string previous;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::string file;
    if (!in.sized(file)) return fail("truncated file name");
    if (i > 0 && file <= previous) return fail("file names not sorted and distinct");
    previous = file;
    index.weight_files.insert(index.weight_files.end(), std::move(file));
  }
  std::string metadata;
  if (!in.sized(metadata)) return fail("truncated metadata");
  if (!in.at_end()) return fail("bytes after the index");
  auto doc = read_strict_json(metadata, index_options(limits));
  if (!doc || !doc->value.is_object()) return fail("the metadata is not a strict JSON object");
  index.metadata = std::move(doc->value);
  return index;
}

}  // namespace modelgate::convert
