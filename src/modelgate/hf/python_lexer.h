#pragma once
// A Python tokenizer precise enough for a lexical safety pass: comments and string literals
// (all prefixes, triple quotes, escapes, line continuations) are skipped exactly, while the
// expressions inside f-string replacement fields are tokenized as code. It does not track
// indentation, which a lexical pass does not need.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace modelgate::python {

enum class TokKind : std::uint8_t { name, op, string, number, newline };

struct Token {
  TokKind kind;
  std::uint32_t offset;  // byte offset in the source
  std::uint32_t line;    // 1-based
  std::string_view text;  // names/ops/numbers: the token; strings: the body between the quotes;
                          // a non-ASCII name: its NFKC form when that is ASCII (hf/python_identifier.h)
};

struct LexedSource {
  std::vector<Token> tokens;
  std::vector<std::unique_ptr<const std::string>> normalized_names;  // what such name tokens point into
};

Expected<LexedSource> lex(std::string_view source, std::size_t max_tokens);

// The 1-based line of a byte offset in the source.
std::uint32_t line_of(std::string_view source, std::size_t offset);

// Content test: the text has Python statement lines (import/from/def/class/decorators at column 0,
// or a python shebang) and tokenizes cleanly.
bool looks_like_python(std::string_view text);

}  // namespace modelgate::python
