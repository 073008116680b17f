#include "container/tensor_archive_code.h"

namespace modelgate {

namespace {

bool attribute_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

bool identifier_name(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// `["a", "b", ]` or `[]`: quoted names, each followed by ", ".
bool name_list(std::string_view s) {
  if (!consume(s, "[")) return false;
  while (consume(s, "\"")) {
    std::size_t close = s.find('"');
    if (close == std::string_view::npos || !attribute_name(s.substr(0, close))) return false;
    s.remove_prefix(close + 1);
    if (!consume(s, ", ")) return false;
  }
  return s == "]";
}

bool declaration(std::string_view line) {
  if (!consume(line, "  ")) return false;
  if (consume(line, "__parameters__ = ") || consume(line, "__buffers__ = ")) return name_list(line);
  if (line == "__annotations__ = []") return true;
  if (consume(line, "__annotations__[\"")) {
    std::size_t close = line.find('"');
    return close != std::string_view::npos && attribute_name(line.substr(0, close)) &&
           line.substr(close) == "\"] = Tensor";
  }
  std::size_t colon = line.find(" : ");
  return colon != std::string_view::npos && identifier_name(line.substr(0, colon)) &&
         line.substr(colon) == " : Tensor" && !line.starts_with("__");
}

}  // namespace

bool is_tensor_declarations_code(std::string_view code) {
  if (!consume(code, "class Module(Module):\n")) return false;
  while (!code.empty()) {
    std::size_t eol = code.find('\n');
    if (eol == std::string_view::npos || !declaration(code.substr(0, eol))) return false;
    code.remove_prefix(eol + 1);
  }
  return true;
}

}  // namespace modelgate
