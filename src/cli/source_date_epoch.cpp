#include "source_date_epoch.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace modelgate::cli {

SourceDateEpoch source_date_epoch() {
  SourceDateEpoch out;
  const char* value = std::getenv("SOURCE_DATE_EPOCH");
  if (value == nullptr) return out;
  std::string_view text = value;
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  // Up to the year 9999, which the BOM's date-time can express.
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < 0 || seconds > 253402300799)
    out.error = "SOURCE_DATE_EPOCH is not a count of seconds since 1970: \"" + std::string(text) + "\"";
  else
    out.seconds = seconds;
  return out;
}

}  // namespace modelgate::cli
