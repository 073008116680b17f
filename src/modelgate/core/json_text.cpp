#include "core/json_text.h"

#include "core/escaped_text.h"

namespace modelgate {

namespace {

void write_value(std::string& out, const nlohmann::json& v, int indent, int depth) {
  auto newline = [&](int level) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(level), ' ');
  };
  if (v.is_string()) {
    append_json_string(out, v.get_ref<const std::string&>());
  } else if (v.is_object()) {
    if (v.empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      append_json_string(out, it.key());
      out += indent < 0 ? ":" : ": ";
      write_value(out, it.value(), indent, depth + 1);
    }
    newline(depth);
    out += '}';
  } else if (v.is_array()) {
    if (v.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    bool first = true;
    for (const auto& item : v) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      write_value(out, item, indent, depth + 1);
    }
    newline(depth);
    out += ']';
  } else {
    out += v.dump();  // numbers, booleans, null: nlohmann's own formatting
  }
}

}  // namespace

std::string json_text(const nlohmann::json& value, int indent) {
  std::string out;
  write_value(out, value, indent, 0);
  return out;
}

void append_json_text(std::string& out, const nlohmann::json& value, int indent, int depth) {
  write_value(out, value, indent, depth);
}

}  // namespace modelgate
