#pragma once
// A report's facts as a parse worker returns them (result_codec.h): typed, field by field, so that
// the broker reads them without a JSON parse and checks each field as it reads it.
//
//   facts   := display parsed model
//   display := value (an object)                       ArtifactReport::facts
//   value   := u8 tag, then: 0 null | 1 false | 2 true | 3 u64 | 4 i64 | 5 f64 (finite) | 6 str
//              | 7 u32 n, value*n | 8 u32 n, (str key, value)*n (keys distinct)
//   parsed  := ParsedFacts in declaration order: an optional field is u8 present (0 or 1), then
//              its value; a list is u32 n, then its items; a map is u32 n, then (key, value)*n
//              with its keys strictly increasing
//   model   := ModelFacts the same way
//   str     := u32 length, bytes (valid UTF-8)
//
// The checks are those of the JSON form the facts had before (core/parsed_facts_json.h,
// core/model_facts_json.h): a count is not below the counts it lists, an import or a call is
// counted at least once, a tensor's range does not end before it begins, a listed tensor count
// matches the list. The worker writes every string as valid UTF-8 (an invalid sequence becomes
// U+FFFD, as the JSON form wrote it) and no float that is not finite (null, likewise).
#include <optional>
#include <string>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/expected.h"
#include "modelgate/report.h"

namespace modelgate::sandbox {

void write_facts(ByteWriter& w, const ArtifactReport& report);

// Reads what write_facts() wrote into `report`'s facts, parsed facts and model facts; the error at
// the first thing that is not. `max_depth` bounds the nesting of display values.
std::optional<Error> read_facts(ByteReader& in, ArtifactReport& report, std::size_t max_depth);

}  // namespace modelgate::sandbox
