#pragma once
// Serialises JSON for output. Unlike nlohmann::json::dump(), which throws on a string that is not
// UTF-8, any byte string is written (escaped as core/escaped_text.h describes), so a hostile file
// name can never abort a report. For UTF-8 strings the text is identical to dump(indent).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace modelgate {

std::string json_text(const nlohmann::json& value, int indent = -1);
// The same text appended to `out`, as the value of a member or item `depth` levels deep.
void append_json_text(std::string& out, const nlohmann::json& value, int indent, int depth);

// The layout json_text uses, for writers that emit JSON as they walk their own data, with no tree
// (report/json_report.cpp). Indent < 0: compact.
void append_json_newline(std::string& out, int indent, int level);

// An object `depth` levels deep, member by member: key() writes a member's key and returns `out`
// for its value, end() closes the object. Keys in std::map order give json_text's text for a tree.
class JsonObjectText {
 public:
  JsonObjectText(std::string& out, int indent, int depth) : out_(out), indent_(indent), depth_(depth) {}
  std::string& key(std::string_view k);
  void end();
  int depth() const { return depth_; }

 private:
  std::string& out_;
  int indent_;
  int depth_;
  bool first_ = true;
};

// An array `depth` levels deep of the items `write(out, item, item_depth)` writes.
template <class Items, class Write>
void append_json_array(std::string& out, const Items& items, int indent, int depth, Write write) {
  if (items.empty()) {
    out += "[]";
    return;
  }
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    append_json_newline(out, indent, depth + 1);
    write(out, item, depth + 1);
  }
  append_json_newline(out, indent, depth);
  out += ']';
}

}  // namespace modelgate
