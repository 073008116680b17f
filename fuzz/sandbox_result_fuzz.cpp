// The broker's decoder of worker results (sandbox/result_codec.h): arbitrary bytes, as a
// compromised worker could write them. What decodes must encode back to the same bytes.
#include <cstddef>
#include <cstdint>

#include "sandbox/result_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  static const sandbox::ResultBounds bounds;
  modelgate::ByteView bytes(data, size);
  (void)sandbox::result_body_length(bytes, bounds);
  auto report = sandbox::decode_result(bytes, bounds);
  if (!report) return 0;
  auto encode = [](const sandbox::WorkerResult& r) { return sandbox::encode_result(r.report, r.attachment); };
  auto again = sandbox::decode_result(encode(*report), bounds);
  if (!again || encode(*again) != encode(*report)) __builtin_trap();
  return 0;
}
