#include "core/json_text.h"

#include "core/escaped_text.h"

namespace modelgate {

void append_json_newline(std::string& out, int indent, int level) {
  if (indent < 0) return;
  out += '\n';
  out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(level), ' ');
}

std::string& JsonObjectText::key(std::string_view k) {
  out_ += first_ ? '{' : ',';
  first_ = false;
  append_json_newline(out_, indent_, depth_ + 1);
  append_json_string(out_, k);
  out_ += indent_ < 0 ? ":" : ": ";
  return out_;
}

void JsonObjectText::end() {
  if (first_) {
    out_ += "{}";
    return;
  }
  append_json_newline(out_, indent_, depth_);
  out_ += '}';
}

void append_json_text(std::string& out, const nlohmann::json& v, int indent, int depth) {
  if (v.is_string()) {
    append_json_string(out, v.get_ref<const std::string&>());
  } else if (v.is_object()) {
    JsonObjectText o(out, indent, depth);
    for (auto it = v.begin(); it != v.end(); ++it) append_json_text(o.key(it.key()), it.value(), indent, depth + 1);
    o.end();
  } else if (v.is_array()) {
    append_json_array(out, v, indent, depth, [indent](std::string& s, const nlohmann::json& item, int d) {
      append_json_text(s, item, indent, d);
    });
  } else {
    out += v.dump();  // numbers, booleans, null: nlohmann's own formatting
  }
}

std::string json_text(const nlohmann::json& value, int indent) {
  std::string out;
  append_json_text(out, value, indent, 0);
  return out;
}

}  // namespace modelgate
