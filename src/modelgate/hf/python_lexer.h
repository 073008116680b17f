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

namespace modelgate::python {

enum class TokKind : std::uint8_t { name, op, string, number, newline };

struct Token {
  TokKind kind;
  std::uint32_t offset;  // byte offset in the source
  std::uint32_t line;    // 1-based
  std::string_view text;  // names/ops/numbers: the token; strings: the body between the quotes;
                          // a non-ASCII name: its NFKC form when that is ASCII (hf/python_identifier.h)
};

struct LexResult {
  bool ok = true;
  std::vector<Token> tokens;
  std::uint32_t error_offset = 0;
  std::uint32_t error_line = 0;
  std::string error;
  std::vector<std::unique_ptr<const std::string>> normalized_names;  // what such name tokens point into
};

LexResult lex(std::string_view source, std::size_t max_tokens);

// Content test: the text has Python statement lines (import/from/def/class/decorators at column 0,
// or a python shebang) and tokenizes cleanly.
bool looks_like_python(std::string_view text);

}  // namespace modelgate::python
