// An inventory row read back (an edited store is hostile input): a report or an error, and a report
// that decodes encodes back to a row that decodes to the same report.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gate/stored_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The key the row has to match, taken from the row itself so that valid rows are reachable.
  ResultKey key;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_object() && j.contains("size") && j["size"].is_number_unsigned()) key.size = j["size"].get<std::uint64_t>();
  if (j.is_object() && j.contains("sha256") && j["sha256"].is_string()) key.sha256 = j["sha256"].get<std::string>();
  auto first = decode_stored_report(text, key);
  if (!first) return 0;
  auto again = decode_stored_report(encode_stored_report(*first), key);
  if (!again || encode_stored_report(*again) != encode_stored_report(*first)) std::abort();
  return 0;
}
