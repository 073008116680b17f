#pragma once
// The one strict JSON reader, for every header and configuration file that loaders parse with
// permissive parsers: RFC 8259 (optionally plus the NaN/Infinity literals Python's json module
// writes), with duplicate keys, invalid UTF-8, lone surrogates and trailing data refused, nesting
// and DOM size bounded, and no exceptions. A key repeated in one object is an error because
// Python's json, serde_json and nlohmann each keep a different copy or fail: readers would disagree.
// Large documents can be read "shallow": every byte is still validated, but only top-level scalars
// and the listed top-level keys are materialised.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.h"

namespace modelgate {

struct JsonReadOptions {
  std::size_t max_depth = 128;
  // Bounds the DOM (every materialised scalar, array and object counts as one value), so that a
  // text of small numbers cannot expand into many times its size in memory.
  std::uint64_t max_values = std::numeric_limits<std::uint64_t>::max();
  bool python_constants = true;           // accept NaN, Infinity, -Infinity (Python's json writes them)
  std::size_t full_dom_bytes = std::numeric_limits<std::size_t>::max();  // larger: read shallow
  std::vector<std::string> deep_keys;     // top-level keys always materialised
  // In a shallow read, top-level containers of at most this many values (however many bytes their
  // text takes) are materialised too: a large file's small members (a diffusers component, a
  // Router's types) are read whole.
  std::size_t small_container_values = 0;
  // In a shallow read, string values in the parts left out of the DOM that contain "{{" or "{%"
  // (after decoding) are still collected, with their paths, at most this many.
  std::size_t max_template_like_strings = 0;
  // When set and the text is an object, each of its members is handed here as soon as it is read,
  // in text order (`key_offset`: of the key's opening quote), and not kept: the document's value
  // stays an empty object and `top_level_keys` empty. Every byte is validated as in any other read;
  // the reader's errors (duplicate keys included) come back as usual. A header of a million
  // entries is then one entry in memory at a time rather than a million-entry tree.
  std::function<void(const std::string& key, std::uint64_t key_offset, nlohmann::json&& value)> member_visitor;
  // The rule of a duplicate key's error, for a caller that refuses it under a rule of its own.
  RuleId duplicate_key_rule;
};

struct JsonKeyOffset {
  std::string key;
  std::uint64_t offset;  // of the key's opening quote, relative to the parsed text
};

// A string value found in a part of a shallow document that was not materialised.
struct JsonStringValue {
  std::string path;  // "key.sub[2].leaf"
  std::string text;  // decoded
};

struct JsonDocument {
  nlohmann::json value;
  bool shallow = false;                      // some top-level containers were validated but left empty
  std::vector<JsonKeyOffset> top_level_keys;  // keys of a top-level object, in text order
  std::vector<JsonStringValue> template_like_strings;  // see JsonReadOptions::max_template_like_strings
  bool template_like_strings_truncated = false;         // more than the maximum were found
};

// An error's rule: MG-LIMIT-EXCEEDED past `max_values`, `duplicate_key_rule` for a repeated key, none
// for a syntax error or a nesting deeper than `max_depth` (the caller decides).
Expected<JsonDocument> read_strict_json(std::string_view text, const JsonReadOptions& options);

// Cheap content test used by identify(): the bytes start (after whitespace) like a JSON object
// or array. The scanner decides strictly.
bool looks_like_json(std::string_view text);

}  // namespace modelgate
