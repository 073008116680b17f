#pragma once
// SOURCE_DATE_EPOCH (reproducible-builds.org): the time a reproducible output records instead of
// the current one. `bom`, `scan --format cyclonedx` and `convert --bom` read it.
#include <cstdint>
#include <optional>
#include <string>

namespace modelgate::cli {

struct SourceDateEpoch {
  std::optional<std::int64_t> seconds;  // unset: the current time
  std::string error;                    // set and not a decimal count of seconds
};

SourceDateEpoch source_date_epoch();

}  // namespace modelgate::cli
