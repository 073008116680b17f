#pragma once
// Parsers for the newline-terminated text operands of protocol 0/1 opcodes, each written to
// reproduce one specific reader: CPython's C unpickler (_pickle.c), the pure-Python unpickler
// (pickle.py) and pickletools. The machine follows _pickle.c and compares with the others.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace modelgate::pickle {

struct IntOperand {
  bool ok = false;
  bool is_bool = false;   // INT "00"/"01" style results
  bool big = false;       // does not fit in int64 (value then unknown here)
  std::int64_t value = 0;
};

// INT as _pickle.c reads it: strtol(s, 0) first (octal with a leading 0, hex, leading blanks),
// falling back to int(s, 0); a two-character operand whose value is 0 or 1 gives a bool.
IntOperand int_operand_c(std::string_view text);
// INT as pickle.py reads it: exactly "00"/"01" are bools, everything else int(s, 0).
IntOperand int_operand_py(std::string_view text);
// INT as pickletools reads it: "00"/"01" bools, everything else int(s) in base 10.
IntOperand int_operand_pickletools(std::string_view text);
// Python's int(text, base) for base 0, 10 or 16: blanks around, sign, prefixes (base 0; "0x" also
// in base 16), underscores.
IntOperand python_int(std::string_view text, int base);
// LONG: an optional trailing 'L' is dropped, then int(s, 0) (loaders) or int(s) (pickletools).
IntOperand long_operand_loader(std::string_view text);
IntOperand long_operand_pickletools(std::string_view text);

// FLOAT as _pickle.c reads it (PyOS_string_to_double: no blanks, no underscores, overflow is an
// error) and as Python's float() reads it (pickle.py and pickletools).
std::optional<double> float_operand_c(std::string_view text);
std::optional<double> float_operand_py(std::string_view text);

// STRING: the quoted repr of a byte string. Returns the unescaped bytes or nullopt.
std::optional<std::string> string_operand_c(std::string_view text);
// pickletools also accepts a lone quote character as an empty string.
std::optional<std::string> string_operand_pickletools(std::string_view text);

// UNICODE: raw-unicode-escape decoding into UTF-8. nullopt on a truncated or invalid escape.
std::optional<std::string> raw_unicode_escape_to_utf8(std::string_view text);


}  // namespace modelgate::pickle
