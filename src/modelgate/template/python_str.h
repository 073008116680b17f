#pragma once
// Python's str semantics (and Jinja's own string filters), computed exactly or not at all: every
// function returns nullopt where the result would depend on Unicode tables modelgate does not
// carry (case mapping and whitespace outside ASCII) or on an argument it cannot take. The folder
// relies on this: a string it cannot compute exactly is unknown, never approximated.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace modelgate::jinja::pystr {

// UTF-8 text split into code points (each as its bytes).
std::vector<std::string> code_points(const std::string& s);
bool is_ascii(const std::string& s);

std::optional<std::string> lower(const std::string& s);
std::optional<std::string> upper(const std::string& s);
std::optional<std::string> swapcase(const std::string& s);
std::optional<std::string> title(const std::string& s);        // str.title
std::optional<std::string> capitalize(const std::string& s);   // str.capitalize
std::optional<std::string> jinja_title(const std::string& s);  // Jinja's |title filter

// str.strip/lstrip/rstrip; `chars` nullopt means whitespace.
std::optional<std::string> strip(const std::string& s, const std::optional<std::string>& chars, bool left,
                                 bool right);
// str.replace; count < 0 means all.
std::optional<std::string> replace(const std::string& s, const std::string& from, const std::string& to,
                                   std::int64_t count, std::size_t max_size);
// str.center / ljust / rjust (fill is one code point) and str.zfill.
std::optional<std::string> pad(const std::string& s, std::int64_t width, const std::string& fill, char how,
                               std::size_t max_size);
std::optional<std::string> zfill(const std::string& s, std::int64_t width, std::size_t max_size);
// str.split / rsplit with an explicit separator; maxsplit < 0 means all.
std::optional<std::vector<std::string>> split(const std::string& s, const std::string& sep, std::int64_t maxsplit,
                                              bool from_right, std::size_t max_items);
// str.partition / rpartition.
std::optional<std::vector<std::string>> partition(const std::string& s, const std::string& sep, bool from_right);

// One argument of %-formatting or str.format: its str() text, and its integer value if it is one.
struct FormatArg {
  std::optional<std::string> text;
  std::optional<std::int64_t> integer;
  bool is_string = false;
};
// `fmt % args` for %s %d %i %c %% (nothing else: flags, widths and other conversions are unknown).
std::optional<std::string> percent_format(const std::string& fmt, const std::vector<FormatArg>& args,
                                          std::size_t max_size);
// fmt.format(*args) with automatic ({}) or numbered ({0}) fields and no format spec.
std::optional<std::string> brace_format(const std::string& fmt, const std::vector<FormatArg>& args,
                                        std::size_t max_size);

// Python slice semantics over `n` elements; the selected indices.
std::optional<std::vector<std::size_t>> slice_indices(std::size_t n, const std::int64_t* start,
                                                      const std::int64_t* stop, const std::int64_t* step,
                                                      std::size_t max_items);

}  // namespace modelgate::jinja::pystr
