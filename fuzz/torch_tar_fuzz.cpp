// The pre-1.0 tar checkpoint reader. The first byte picks the mode: raw bytes go through the
// tarfile-view header walker and the scanner as they are; otherwise the input is split into the
// `storages`, `tensors` and `pickle` members of a well-formed tar, so the record walk is reached.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "container/torch_tar.h"
#include "fuzz_context.h"

namespace {

void add_member(std::string& tar, const char* name, const std::uint8_t* data, std::size_t size) {
  std::string h(512, '\0');
  std::memcpy(h.data(), name, std::strlen(name));
  std::memcpy(h.data() + 100, "0000644", 7);
  std::snprintf(h.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  std::memcpy(h.data() + 136, "00000000000", 11);
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar\0" "00", 8);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  tar += h;
  tar.append(reinterpret_cast<const char*>(data), size);
  tar.resize((tar.size() + 511) / 512 * 512, '\0');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  auto& ctx = modelgate::fuzz::context();
  std::string tar;
  if (data[0] & 1) {
    tar.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    std::size_t rest = size - 3;
    std::size_t a = rest == 0 ? 0 : data[1] * rest / 256;
    std::size_t b = rest == 0 ? 0 : a + data[2] * (rest - a) / 256;
    const std::uint8_t* p = data + 3;
    add_member(tar, "storages", p, a);
    add_member(tar, "tensors", p + a, b - a);
    add_member(tar, "pickle", p + b, rest - b);
    tar.append(1024, '\0');
  }
  auto a = modelgate::fuzz::artifact(reinterpret_cast<const std::uint8_t*>(tar.data()), tar.size());
  modelgate::ArtifactReport report;
  modelgate::scan_torch_tar(a, ctx, report);
  return 0;
}
