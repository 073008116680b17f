#include "hf/library_paths.h"

#include <array>
#include <string>

namespace modelgate {

namespace {

// Modules reached by attribute from inside a package (`pkg.sub.os`) that lead out of its own code.
constexpr std::array<std::string_view, 33> kEscapeModules = {
    "os", "sys", "subprocess", "shutil", "builtins", "importlib", "pickle", "cloudpickle", "dill", "marshal",
    "socket", "ctypes", "runpy", "pydoc", "code", "codeop", "pty", "pathlib", "tempfile", "urllib", "requests",
    "http", "multiprocessing", "threading", "signal", "webbrowser", "inspect", "types", "functools", "operator",
    "posix", "nt", "jit"};

// Parts of names whose objects load, import, fetch, compile or run something.
constexpr std::array<std::string_view, 20> kActingWords = {
    "load", "import", "exec", "eval", "system", "popen", "spawn", "compile", "hub", "extension", "library",
    "download", "fetch", "url", "package", "script", "save", "open", "remove", "write"};

bool acting_component(std::string_view c) {
  if (c.starts_with("__")) return true;
  for (auto m : kEscapeModules)
    if (c == m) return true;
  std::string lower(c);
  for (char& ch : lower) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch);
  for (auto w : kActingWords)
    if (lower.find(w) != std::string::npos) return true;
  return false;
}

}  // namespace

bool library_own_path(std::string_view dotted, std::initializer_list<std::string_view> packages) {
  const std::size_t dot = dotted.find('.');
  const std::string_view first = dotted.substr(0, dot);
  bool listed = false;
  for (auto p : packages) listed = listed || first == p;
  if (!listed) return false;
  if (dot == std::string_view::npos) return true;
  for (std::size_t p = dot + 1; p <= dotted.size();) {
    std::size_t next = dotted.find('.', p);
    if (next == std::string_view::npos) next = dotted.size();
    const std::string_view c = dotted.substr(p, next - p);
    if (c.empty() || acting_component(c)) return false;
    p = next + 1;
  }
  return true;
}

}  // namespace modelgate
