#pragma once
#include <string>
#include <utility>

namespace modelgate::pickle {

// The renaming that Python 3's unpickler applies to globals of protocol 0-2 pickles
// (fix_imports, from the facts in CPython's Lib/_compat_pickle.py): `__builtin__.eval` loads
// `builtins.eval`, `copy_reg` is `copyreg`, `commands` is `subprocess`, ...
std::pair<std::string, std::string> map_python2_name(const std::string& module, const std::string& name);

}  // namespace modelgate::pickle
