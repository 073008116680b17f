#include "protowire/node_walk.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "protowire/wire.h"

namespace modelgate::protowire {

namespace {

bool is_node_name(ByteView text) {
  if (text.empty() || text.size() > 4096 || !is_text(text)) return false;
  return std::none_of(text.begin(), text.end(), [](std::uint8_t c) { return c <= ' '; });
}

bool looks_like_json_object(ByteView text) {
  if (text.size() < 2 || text[0] != '{' || !is_text(text)) return false;
  return as_chars(text).find("\"class_name\"") != std::string_view::npos;
}

class Walker {
 public:
  Walker(const Limits& limits, NodeWalk& out) : limits_(limits), out_(out) {}

  // `message` is known to be a flat valid message. Like protobuf, the last occurrence of a
  // singular field wins and fields of unexpected types or numbers are ignored, so a NodeDef is any
  // message whose last length-delimited field 2 is an op type.
  struct Parent {
    ByteView message;
    std::size_t offset = 0;
    std::uint32_t field = 0;
  };

  void visit(ByteView message, std::size_t base, unsigned depth, const Parent& parent) {
    MessageReader r(message, base);
    r.limit_group_depth(limits_.max_protobuf_group_depth);
    Field f;
    std::optional<ByteView> name, op;
    while (r.next(f)) {
      if (++out_.fields_read > limits_.max_protobuf_fields) {
        out_.limit_reached = true;
        return;
      }
      if (f.type != WireType::len) continue;
      if (f.number == 1) name = f.bytes;
      else if (f.number == 2) op = f.bytes;
      std::size_t at = r.absolute(f.bytes);
      if (looks_like_json_object(f.bytes)) out_.json_objects.push_back({at, f.bytes});
      if (!f.bytes.empty() && depth + 1 <= limits_.max_protobuf_depth && is_flat_message(f.bytes))
        visit(f.bytes, at, depth + 1, Parent{message, base, f.number});
      if (out_.limit_reached) return;
    }
    if (op && is_op_type(*op)) {
      bool named = name && is_node_name(*name);
      out_.nodes.push_back({named ? std::string(as_chars(*name)) : std::string(), std::string(as_chars(*op)), base,
                            depth, named, message, parent.message, parent.offset, parent.field});
    }
  }

 private:
  const Limits& limits_;
  NodeWalk& out_;
};

}  // namespace

bool is_op_type(ByteView text) {
  if (text.empty() || text.size() > 256) return false;
  auto c0 = text[0];
  if (!((c0 >= 'A' && c0 <= 'Z') || (c0 >= 'a' && c0 <= 'z') || c0 == '_')) return false;
  return std::all_of(text.begin(), text.end(), [](std::uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '>';
  });
}

Expected<NodeWalk> walk_for_nodes(ByteView root, const Limits& limits) {
  MessageReader check(root);
  check.limit_group_depth(limits.max_protobuf_group_depth);
  Field f;
  while (check.next(f)) {
  }
  if (check.error()) return *check.error();
  NodeWalk out;
  Walker(limits, out).visit(root, 0, 0, {});
  return out;
}

}  // namespace modelgate::protowire
