// pytorch_model.bin.index.json as `convert` reads it for a directory (convert/checkpoint_index.h):
// the worker's reading of the index from the strict JSON document (read here as the JSON scanner
// reads it) and the converting process's decoder of what the worker returns. The first byte picks
// which. Whatever either says (an index or a refusal) must survive its
// encoding: decoded, it encodes to the same bytes.
#include <cstddef>
#include <cstdint>

#include "convert/checkpoint_index.h"
#include "core/strict_json.h"

namespace {

modelgate::Expected<modelgate::convert::CheckpointIndex> read_index(modelgate::ByteView text,
                                                                    const modelgate::Limits& limits) {
  modelgate::JsonReadOptions o;
  o.max_depth = limits.max_json_depth;
  auto doc = modelgate::read_strict_json(modelgate::as_chars(text), o);
  if (!doc) return modelgate::parse_error(doc.error().offset, doc.error().reason);
  return modelgate::convert::checkpoint_index_of(doc->value, limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  static const Limits limits;
  if (size == 0) return 0;
  const ByteView rest(data + 1, size - 1);
  auto index = data[0] % 2 == 0 ? read_index(rest, limits)
                                : convert::decode_index_attachment(rest, limits);
  auto encoded = convert::encode_index_attachment(index);
  auto again = convert::decode_index_attachment(encoded, limits);
  if (static_cast<bool>(again) != static_cast<bool>(index)) __builtin_trap();
  if (again && again->weight_files != index->weight_files) __builtin_trap();
  if (convert::encode_index_attachment(again) != encoded) __builtin_trap();
  return 0;
}
