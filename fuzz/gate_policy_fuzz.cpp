// modelgate.policy/2 parsing: any text is a policy or an error message, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "modelgate/gate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)modelgate::parse_gate_policy(std::string_view(reinterpret_cast<const char*>(data), size), "/policies");
  return 0;
}
