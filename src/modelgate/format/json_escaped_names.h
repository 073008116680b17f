#pragma once
// Where a JSON text spells an ASCII letter, digit or name character (`_`, `:`, `.`, `-`, `$`) as a
// \u escape. JSON writers (Python's json, serde_json, Go's encoding/json) escape only non-ASCII,
// control characters and, at most, `<`, `>`, `&`, `'`: a file that escapes a letter hides the
// name it spells from any search of the raw text ("\u0070yref" is "pyref" to json.load).
#include <cstddef>
#include <optional>
#include <string_view>

namespace modelgate {

std::optional<std::size_t> escaped_name_character(std::string_view json_text);

}  // namespace modelgate
