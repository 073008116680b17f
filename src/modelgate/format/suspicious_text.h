#pragma once
// Free-form metadata text (safetensors __metadata__, model descriptions) is data, but text that
// looks like a URL, a shell command or program code deserves a look: it may be instructions
// for a tool further down the pipeline. Heuristic, case-insensitive, for info findings only.
#include <optional>
#include <string>
#include <string_view>

namespace modelgate {

struct SuspiciousText {
  std::string_view kind;     // "a URL", "a shell command", "code"
  std::string_view pattern;  // what matched
};

std::optional<SuspiciousText> find_suspicious_text(std::string_view text);

// The first `max` bytes of text, control characters replaced, for evidence fields.
std::string text_snippet(std::string_view text, std::size_t max = 160);

}  // namespace modelgate
