// PyTorch zip checkpoints and TorchScript archives over read_zip: the record layout, data.pkl with
// its persistent ids, storage records, byteorder and version. The first byte picks the mode: odd,
// the rest is a zip as it is (scan_zip decides the flavour); even, the rest is cut into parts
// (fuzz_parts.h) stored as the members of a well-formed checkpoint, so that the layout checks and
// the storage walk are reached by most inputs.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_context.h"
#include "fuzz_parts.h"
#include "scan/format_table.h"

namespace {

const std::vector<std::string> kMemberNames = {
    "archive/data.pkl", "archive/byteorder", "archive/version",       "archive/data/0",
    "archive/data/1",   "archive/data/2",    "archive/constants.pkl", "archive/.data/serialization_id",
};

void put16(std::string& s, std::uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

// A stored (method 0) zip of the given members, with correct CRCs and sizes.
std::string stored_zip(const std::vector<std::string>& names, const std::vector<std::string_view>& parts) {
  std::string out, central;
  std::size_t n = std::min(names.size(), parts.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& name = names[i];
    auto data = parts[i];
    auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    auto offset = static_cast<std::uint32_t>(out.size());
    auto fields = [&](std::string& s) {
      put16(s, 0);  // flags
      put16(s, 0);  // method: stored
      put32(s, 0);  // time, date
      put32(s, crc);
      put32(s, static_cast<std::uint32_t>(data.size()));
      put32(s, static_cast<std::uint32_t>(data.size()));
      put16(s, static_cast<std::uint32_t>(name.size()));
      put16(s, 0);  // extra length
    };
    put32(out, 0x04034b50);
    put16(out, 20);
    fields(out);
    out += name;
    out += data;
    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    fields(central);
    put16(central, 0);  // comment length
    put32(central, 0);  // disk, internal attributes
    put32(central, 0);  // external attributes
    put32(central, offset);
    central += name;
  }
  auto cd_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put32(out, 0);
  put16(out, static_cast<std::uint32_t>(n));
  put16(out, static_cast<std::uint32_t>(n));
  put32(out, static_cast<std::uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  if (size < 1) return 0;
  std::string zip;
  if (data[0] & 1)
    zip.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  else
    zip = stored_zip(kMemberNames, fuzz::split_parts(data + 1, size - 1, kMemberNames.size()));
  Artifact a = fuzz::artifact(reinterpret_cast<const std::uint8_t*>(zip.data()), zip.size());
  ArtifactReport report;
  scan_zip(a, fuzz::default_policy_context(), report);
  report.finalize();
  return 0;
}
