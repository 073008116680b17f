// A whole checkpoint file through conversion, as a confined worker reads it and the converting
// process writes it: the zip, tar or legacy layout, the data pickle, state dict reconstruction, storage
// lookup (stored, deflated, legacy tail), the plan's encoding and decoding, the plan check, and
// every tensor copied into /dev/null. The file is scanned (torch profile) to keep the reading the plan
// is built from, but the scan's verdict is not consulted on purpose: the planner is what stands
// behind it. A plan the reader builds must pass the check and survive its encoding unchanged.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "container/checkpoint_reading.h"
#include "convert/conversion_plan_codec.h"
#include "convert/safetensors_writer.h"
#include "convert/tensor_copy.h"
#include "scan/scan_context.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  static const Limits limits = [] {
    Limits l;
    l.max_pickle_opcodes = 1u << 20;
    l.max_pickle_nodes = 1u << 16;
    l.max_tensors = 4096;
    return l;
  }();
  static const Policy policy = [] {
    Policy p;
    p.profiles = {"torch"};
    return p;
  }();
  static const auto allowlist = pickle::Allowlist::from_profiles(policy.profiles, {});
  static const int sink = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const ByteView file(data, size);
  ScanContext ctx(limits, policy, *allowlist);
  auto read = std::make_shared<CheckpointReadingSlot>();
  Artifact a;
  a.origin = "checkpoint";
  a.bytes = file;
  a.checkpoint_reading = read;
  ctx.scan(a);
  auto plan = convert::plan_conversion(file, *read, "", limits);
  auto encoded = convert::encode_plan_attachment(plan, UINT32_MAX >> 1);
  auto decoded = convert::decode_plan_attachment(encoded, limits);
  if (!plan) {
    if (decoded) __builtin_trap();
    return 0;
  }
  if (!decoded || convert::encode_plan_attachment(decoded, UINT32_MAX >> 1) != encoded) __builtin_trap();
  if (!convert::check_plan(*decoded, size, limits)) __builtin_trap();
  std::vector<convert::HeaderEntry> entries;
  for (const auto& t : decoded->tensors) entries.push_back({t.name, t.dtype, t.shape, t.byte_size});
  auto layout = convert::layout_header(entries, decoded->metadata);
  if (!layout) return 0;
  convert::TensorCopier copier(-1, 4096);
  std::uint64_t budget = 64u << 20;
  for (std::size_t i : layout->order) {
    const auto& t = decoded->tensors[i];
    if (t.byte_size > budget) continue;
    budget -= t.byte_size;
    const auto& planned = decoded->storages.at(t.storage_key);
    convert::StorageBytes s;
    s.bytes = planned.owner ? planned.inflated : file.subspan(planned.file_offset, planned.size);
    if (!copier.copy(sink, t, s)) __builtin_trap();
  }
  return 0;
}
