#pragma once
// Jinja2 lexer with the default delimiters ({{ }}, {% %}, {# #}). It splits a template into text
// and tag tokens the way Jinja's own lexer does: end markers are recognised only while brackets
// are balanced, strings may contain any delimiter, comments and {% raw %} bodies are opaque.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace modelgate::jinja {

enum class TokKind : std::uint8_t {
  text,         // template data outside tags (also the body of {% raw %})
  var_begin,    // {{
  var_end,      // }}
  block_begin,  // {%
  block_end,    // %}
  name,
  string,       // value holds the decoded string
  integer,      // value holds the decimal digits without '_' (int_value when it fits)
  floating,
  op,           // value holds the operator text
  eof,
};

struct Token {
  TokKind kind = TokKind::eof;
  std::uint32_t offset = 0;  // byte offset of the token in the template
  std::string value;         // decoded payload (names, operators, strings, text)
  std::int64_t int_value = 0;
  bool int_fits = false;     // integer literal fits int64
  bool opaque = false;       // string literal holds an escape we do not decode (\N{...})
};

// The tokens end with eof. An error is under MG-TEMPLATE-SYNTAX, or MG-LIMIT-EXCEEDED when a
// resource bound was hit.
Expected<std::vector<Token>> lex(std::string_view source, std::size_t max_tokens);

// 1-based line and column of a byte offset (column counts bytes).
void line_col(std::string_view source, std::size_t offset, std::size_t& line, std::size_t& col);

}  // namespace modelgate::jinja
