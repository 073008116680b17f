#include "format/suspicious_text.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace modelgate {

namespace {

struct Pattern {
  std::string_view needle;  // lower case
  std::string_view kind;
};

constexpr std::array<Pattern, 37> kPatterns = {{
    {"://", "a URL"},
    {"www.", "a URL"},
    {"$(", "a shell command"},
    {"`", "a shell command"},
    {"&&", "a shell command"},
    {"||", "a shell command"},
    {"| sh", "a shell command"},
    {"|sh", "a shell command"},
    {"| bash", "a shell command"},
    {"bash -c", "a shell command"},
    {"sh -c", "a shell command"},
    {"/bin/sh", "a shell command"},
    {"/bin/bash", "a shell command"},
    {"/dev/tcp", "a shell command"},
    {"rm -rf", "a shell command"},
    {"curl ", "a shell command"},
    {"wget ", "a shell command"},
    {"chmod ", "a shell command"},
    {"powershell", "a shell command"},
    {"cmd.exe", "a shell command"},
    {"import ", "code"},
    {"__import__", "code"},
    {"__builtins__", "code"},
    {"eval(", "code"},
    {"exec(", "code"},
    {"compile(", "code"},
    {"os.system", "code"},
    {"subprocess", "code"},
    {"popen", "code"},
    {"lambda ", "code"},
    {"def ", "code"},
    {"<script", "code"},
    {"javascript:", "code"},
    {"require(", "code"},
    {"{{", "code"},
    {"{%", "code"},
    {"base64", "code"},
}};

}  // namespace

std::optional<SuspiciousText> find_suspicious_text(std::string_view text) {
  std::string lower(text.size(), '\0');
  std::transform(text.begin(), text.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const Pattern& p : kPatterns)
    if (lower.find(p.needle) != std::string::npos) return SuspiciousText{p.kind, p.needle};
  return std::nullopt;
}

std::string text_snippet(std::string_view text, std::size_t max) {
  std::string out;
  // Cut on a UTF-8 boundary so that the snippet stays valid UTF-8 in JSON reports.
  if (max < text.size())
    while (max > 0 && (static_cast<unsigned char>(text[max]) & 0xC0) == 0x80) --max;
  for (unsigned char c : text.substr(0, max)) out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace modelgate
