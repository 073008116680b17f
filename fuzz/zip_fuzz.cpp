// The strict ZIP reader on arbitrary bytes: directory parsing, member lookup as miniz and zipfile
// do it, and opening every member (inflate with limits, CRC). The limits are the defaults: memory
// is bounded by libFuzzer's -malloc_limit_mb, so that an allocation by a declared size shows up.
#include <cstddef>
#include <cstdint>

#include "readers/zip_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const modelgate::Limits limits;
  modelgate::ByteView bytes(data, size);
  auto ar = modelgate::zip::read_zip(bytes, "fuzz.zip", limits);
  if (!ar) return 0;
  std::vector<modelgate::Finding> findings;
  auto budget = std::make_shared<modelgate::UnpackBudget>(limits);
  for (const auto& m : ar->members) {
    (void)ar->find_as_miniz(m.name);
    (void)ar->find_as_zipfile(m.name);
    (void)modelgate::zip::peek_member(bytes, m, 16);
    (void)modelgate::zip::open_member(bytes, m, "fuzz.zip", limits, budget, findings);
  }
  return 0;
}
