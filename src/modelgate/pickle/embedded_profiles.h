#pragma once
#include <span>
#include <string_view>

namespace modelgate::pickle {

// The files of data/pickle/, compiled in: `name` is the file name without ".txt".
struct EmbeddedProfile {
  std::string_view name;
  std::string_view text;
};
std::span<const EmbeddedProfile> embedded_profiles();

inline std::string_view trim_profile_text(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Calls fn(line) for every line of a data/pickle file: trimmed, `#` comments removed, empty
// lines skipped.
template <class Fn>
void for_each_profile_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim_profile_text(line);
    if (!line.empty()) fn(line);
  }
}

}  // namespace modelgate::pickle
