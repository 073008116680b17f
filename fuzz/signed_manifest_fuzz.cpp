// The verifying process's reader of what a confined worker returns for a signature bundle
// (sign/signed_manifest_codec.h): arbitrary bytes, as a compromised worker could write them. What
// decodes must encode back to the same bytes.
#include <cstddef>
#include <cstdint>

#include "sign/signed_manifest_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate::sign;
  CheckEvents events;
  auto manifest = decode_signed_manifest(modelgate::ByteView(data, size), events);
  if (!manifest && manifest.error().reason.find("message at byte") != std::string::npos) return 0;
  auto encoded = encode_signed_manifest(manifest, events);
  CheckEvents again_events;
  auto again = decode_signed_manifest(encoded, again_events);
  if (encode_signed_manifest(again, again_events) != encoded) __builtin_trap();
  return 0;
}
