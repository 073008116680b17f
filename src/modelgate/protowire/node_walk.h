#pragma once
// Schema-free search for TensorFlow NodeDef-shaped messages in any protobuf. Every
// length-delimited field that parses as a message is descended into (bounded depth and work), so
// nodes are found wherever a loader could read them: GraphDef.node, FunctionDef.node_def, graphs
// serialized inside attribute strings.
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::protowire {

struct NodeDefLike {
  std::string name;
  std::string op;
  std::size_t offset = 0;  // of the NodeDef message
  unsigned depth = 0;      // message nesting depth where it was found
  bool named = false;      // has a valid node name; unnamed candidates are only checked for danger
  ByteView message;        // the NodeDef message itself (for its attributes)
  // The message holding it and the field it was found in: nodes of one GraphDef (field 1) or one
  // FunctionDef body (node_def, field 3) share a container, which is the scope their inputs name.
  ByteView container;
  std::size_t container_offset = 0;
  std::uint32_t field = 0;
};

struct TextField {
  std::size_t offset = 0;
  ByteView text;
};

struct NodeWalk {
  std::vector<NodeDefLike> nodes;
  std::vector<TextField> json_objects;  // text fields that look like JSON objects with "class_name"
  bool limit_reached = false;
  std::uint64_t fields_read = 0;
};

// An error when the root is not a valid message.
Expected<NodeWalk> walk_for_nodes(ByteView root, const Limits& limits);  // max_protobuf_depth, max_protobuf_fields

// True for a TensorFlow-style op type: [A-Za-z_][A-Za-z0-9_>]* (">" separates op namespaces).
bool is_op_type(ByteView text);

}  // namespace modelgate::protowire
