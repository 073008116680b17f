#pragma once
// CPython normalises identifiers to NFKC while parsing (PEP 3131): `ｅｖａｌ(...)`, `𝐞𝐯𝐚𝐥(...)` and
// `os.ｓｙｓｔｅｍ` in source are `eval` and `os.system`. (pickle's GLOBAL names, importlib module
// names and getattr strings are not normalised: there such spellings fail to resolve.)
#include <optional>
#include <string>
#include <string_view>

namespace modelgate::python {

// The ASCII name that a non-ASCII identifier normalises to, when every non-ASCII character of it
// has an ASCII NFKC form; nullopt when it is ASCII already or keeps a non-ASCII character (then it
// equals no ASCII name).
std::optional<std::string> ascii_identifier(std::string_view utf8);

}  // namespace modelgate::python
