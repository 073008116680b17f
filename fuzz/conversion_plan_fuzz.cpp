// The converting process's reader of a conversion plan (convert/conversion_plan_codec.h):
// arbitrary bytes, as a compromised parse worker could write them, over a 4 KiB input. What
// decodes must encode back to the same bytes; what also passes check_plan is copied, and every
// copy must stay inside the input and its storages (ASan sees any byte outside).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "convert/conversion_plan_codec.h"
#include "convert/tensor_copy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  static const Limits limits;
  static const int sink = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  static const std::vector<std::uint8_t> input(4096, 0x5a);
  auto plan = convert::decode_plan_attachment(ByteView(data, size), limits);
  if (!plan) return 0;
  auto encoded = convert::encode_plan_attachment(plan, UINT64_MAX);
  auto again = convert::decode_plan_attachment(encoded, limits);
  if (!again || convert::encode_plan_attachment(again, UINT64_MAX) != encoded) __builtin_trap();
  if (!convert::check_plan(*plan, input.size(), limits)) return 0;
  convert::TensorCopier copier(-1, 4096);
  std::uint64_t budget = 16u << 20;
  for (const auto& t : plan->tensors) {
    if (t.byte_size > budget) continue;
    budget -= t.byte_size;
    const auto& planned = plan->storages.at(t.storage_key);
    convert::StorageBytes s;
    s.bytes = planned.owner ? planned.inflated : ByteView(input).subspan(planned.file_offset, planned.size);
    if (!copier.copy(sink, t, s)) __builtin_trap();
  }
  return 0;
}
