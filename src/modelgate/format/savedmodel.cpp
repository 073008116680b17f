// TensorFlow SavedModel (`saved_model.pb`) and Keras' `keras_metadata.pb`, walked as generic
// protobuf: NodeDef-shaped messages anywhere in the file are op invocations; JSON objects with a
// "class_name" are Keras layer metadata and go through the Keras config analysis.
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "core/rule_catalog.h"
#include "format/keras_config.h"
#include "format/tensorflow_graph_index.h"
#include "format/tensorflow_ops.h"
#include "protowire/node_walk.h"
#include "protowire/wire.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

// Save/Restore ops are in every SavedModel's saver functions, where they touch the prefix the loader
// passes; one whose path is fixed in the file writes or reads wherever the file says.
struct CheckpointPathInput {
  std::string_view op;
  std::size_t input;
  bool writes;
};

constexpr CheckpointPathInput kCheckpointPathInputs[] = {
    {"Save", 0, true},
    {"SaveSlices", 0, true},
    {"SaveV2", 0, true},
    {"MergeV2Checkpoints", 0, true},  // checkpoint_prefixes: merged, then deleted
    {"MergeV2Checkpoints", 1, true},  // destination_prefix
    {"Restore", 0, false},
    {"RestoreSlice", 0, false},
    {"RestoreV2", 0, false},
    {"DTensorRestoreV2", 0, false},
};

// SavedModel.meta_graphs (field 2), MetaGraphDef.saver_def (field 3), SaverDef.filename_tensor_name
// (field 1): the tensor the loader feeds the variables' path into. Occurrences of saver_def are
// merged, so of a meta graph's filename tensor names the last one counts.
std::set<std::string> saver_filename_nodes(ByteView root) {
  std::set<std::string> out;
  protowire::MessageReader r(root);
  protowire::Field f;
  while (r.next(f)) {
    if (f.number != 2 || f.type != protowire::WireType::len || !protowire::is_flat_message(f.bytes)) continue;
    protowire::MessageReader meta(f.bytes);
    protowire::Field m;
    std::optional<std::string_view> filename;
    while (meta.next(m)) {
      if (m.number != 3 || m.type != protowire::WireType::len || !protowire::is_flat_message(m.bytes)) continue;
      protowire::MessageReader saver(m.bytes);
      protowire::Field sf;
      while (saver.next(sf))
        if (sf.number == 1 && sf.type == protowire::WireType::len) filename = as_chars(sf.bytes);
    }
    if (filename && protowire::is_text(as_byte_view(*filename))) out.emplace(filename->substr(0, filename->find(':')));
  }
  return out;
}

// Findings for a checkpoint op whose path is not the one the loader passes.
template <typename Flag>
void check_checkpoint_paths(const protowire::NodeDefLike& node, const TensorflowGraphIndex& index, Flag& flag) {
  for (const auto& in : kCheckpointPathInputs) {
    if (in.op != node.op) continue;
    CheckpointPath path = index.checkpoint_path(node, in.input);
    std::string verb = in.writes ? "writes" : "reads";
    switch (path.source) {
      case CheckpointPathSource::fed:
        break;
      case CheckpointPathSource::constant:
        flag(RuleId("MG-SAVEDMODEL-FILE-OP"), node, verb + " a checkpoint at the path fixed in the file '" + path.shown + "'");
        break;
      case CheckpointPathSource::climbing:
        flag(RuleId("MG-SAVEDMODEL-FILE-OP"), node,
             verb + " a checkpoint outside the directory the loader passes ('" + path.shown + "')");
        break;
      case CheckpointPathSource::unresolved:
        flag(RuleId("MG-SAVEDMODEL-CHECKPOINT-PATH"), node,
             verb + " a checkpoint at a path the scanner could not trace to the loader: " + path.shown);
        break;
    }
  }
}

// NodeDef.attr (field 5, map<string, AttrValue>): the last entry for `key`, as protobuf keeps it.
std::optional<ByteView> node_attr(ByteView node, std::string_view key) {
  std::optional<ByteView> found;
  protowire::MessageReader r(node);
  protowire::Field f;
  while (r.next(f)) {
    if (f.number != 5 || f.type != protowire::WireType::len) continue;
    protowire::MessageReader entry(f.bytes);
    protowire::Field e;
    std::optional<ByteView> k;
    ByteView v;
    while (entry.next(e)) {
      if (e.type != protowire::WireType::len) continue;
      if (e.number == 1) k = e.bytes;
      if (e.number == 2) v = e.bytes;
    }
    if (k && as_chars(*k) == key) found = v;
  }
  return found;
}

// A string attribute's value (AttrValue.s, field 2), or nullopt for any other kind of value.
std::optional<ByteView> attr_string(ByteView attr) {
  std::optional<ByteView> s;
  protowire::MessageReader r(attr);
  protowire::Field f;
  while (r.next(f))
    if (f.number == 2 && f.type == protowire::WireType::len) s = f.bytes;
  return s;
}

// PrintV2's output_stream: stderr when absent; otherwise AttrValue.s (field 2) must be one of the
// streams PrintV2Op writes without a file. A placeholder (set by the calling function) or any
// other value is taken as the file it may be.
bool prints_to_standard_stream(ByteView node, std::string& stream) {
  auto attr = node_attr(node, "output_stream");
  if (!attr) return true;
  const std::optional<ByteView> s = attr_string(*attr);
  if (!s) {
    stream = "(not a constant string)";
    return false;
  }
  stream = std::string(as_chars(*s).substr(0, 200));
  for (std::string_view ok : {"stderr", "stdout", "log(info)", "log(warning)", "log(error)"})
    if (as_chars(*s) == ok) return true;
  return false;
}

// DecodeProtoV2 and EncodeProto read a FileDescriptorSet from the file their descriptor_source
// names, unless it is absent or "local://" (the descriptors linked into the binary). A placeholder
// attribute or any other value is taken as a file.
bool uses_linked_descriptors(ByteView node) {
  auto attr = node_attr(node, "descriptor_source");
  if (!attr) return true;
  const std::optional<ByteView> s = attr_string(*attr);
  return s && as_chars(*s) == "local://";
}

}  // namespace

void scan_tf_fingerprint(const Artifact& a, NestedScan&, ArtifactReport& report) {
  protowire::MessageReader r(a.bytes);
  protowire::Field f;
  while (r.next(f))
    if (f.number == 1 && f.type == protowire::WireType::varint) details_of(report.details.saved_model).checksum = f.value;
}

void scan_tensorflow_protobuf(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto walked = protowire::walk_for_nodes(a.bytes, ctx.limits());
  if (!walked) {
    report.add(make_finding(rule("MG-SAVEDMODEL-MALFORMED"), a.origin, walked.error().offset,
                            "protobuf wire format error: " + walked.error().reason));
    return;
  }
  const protowire::NodeWalk& walk = *walked;
  if (walk.limit_reached)
    report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, std::nullopt,
                            "more than max_protobuf_fields (" + std::to_string(ctx.limits().max_protobuf_fields) +
                                ") protobuf fields; the rest was not walked"));
  const TensorflowGraphIndex index(a.bytes, walk.nodes, saver_filename_nodes(a.bytes));
  std::map<std::string, std::uint64_t> op_counts;
  std::map<std::string, std::uint64_t> checkpoint_ops;
  std::map<std::string, std::pair<const protowire::NodeDefLike*, std::uint64_t>> unknown_ops;
  std::uint64_t named_nodes = 0;
  auto flag = [&](RuleId id, const protowire::NodeDefLike& node, const std::string& what) {
    report.add(make_finding(rule(id), a.origin, node.offset, "node '" + node.name + "' runs op " + node.op + ", which " + what,
                            node.op + " " + node.name));
  };
  for (const auto& node : walk.nodes) {
    if (node.named) {
      ++named_nodes;
      if (op_counts.size() < ctx.limits().max_listed_op_types || op_counts.count(node.op)) ++op_counts[node.op];
    }
    const TensorflowOp* op = find_tensorflow_op(node.op);
    if (op == nullptr) {
      // Only a node where a loader reads nodes is an op invocation; a guess elsewhere may be text.
      if (TensorflowGraphIndex::in_graph(node) && !index.is_function(node.op)) {
        auto& [first, count] = unknown_ops[node.op];
        if (count++ == 0) first = &node;
      }
      continue;
    }
    switch (op->cls) {
      case TensorflowOpClass::inert:
        continue;
      case TensorflowOpClass::checkpoint:
        ++checkpoint_ops[node.op];
        if (!TensorflowGraphIndex::in_graph(node)) continue;
        check_checkpoint_paths(node, index, flag);
        continue;
      case TensorflowOpClass::opaque:
        if (node.named) flag(RuleId("MG-SAVEDMODEL-UNKNOWN-OP"), node, std::string(op->what) + " (not analysed here)");
        continue;
      case TensorflowOpClass::print: {
        std::string stream;
        if (prints_to_standard_stream(node.message, stream)) continue;
        flag(RuleId("MG-SAVEDMODEL-FILE-OP"), node, std::string(op->what) + " (output_stream " + stream + ")");
        continue;
      }
      case TensorflowOpClass::asset:
        if (node.named) flag(RuleId("MG-SAVEDMODEL-ASSET-OP"), node, std::string(op->what));
        continue;
      case TensorflowOpClass::python:
        flag(RuleId("MG-SAVEDMODEL-PYTHON-OP"), node, std::string(op->what));
        continue;
      case TensorflowOpClass::network:
        flag(RuleId("MG-SAVEDMODEL-NETWORK-OP"), node, std::string(op->what));
        continue;
      case TensorflowOpClass::file:
        if ((node.op == "DecodeProtoV2" || node.op == "EncodeProto") && uses_linked_descriptors(node.message)) continue;
        flag(RuleId("MG-SAVEDMODEL-FILE-OP"), node, std::string(op->what));
        continue;
    }
  }
  for (const auto& [op, seen] : unknown_ops) {
    const auto& [node, count] = seen;
    std::string more = count > 1 ? " (" + std::to_string(count) + " nodes)" : "";
    report.add(make_finding(rule("MG-SAVEDMODEL-UNKNOWN-OP"), a.origin, node->offset,
                            "node '" + node->name + "' runs op " + op + more +
                                ", which is not a TensorFlow op nor a function of the file: a custom op "
                                "from a library the loader would have to load",
                            op + " " + node->name));
  }
  for (const auto& text : walk.json_objects)
    analyse_keras_config(as_chars(text.text), a.origin, ctx.limits(), report, text.offset);
  SavedModelDetails& details = details_of(report.details.saved_model);
  details.nodes = named_nodes;
  details.op_types = op_counts;
  if (!checkpoint_ops.empty()) details.checkpoint_ops = checkpoint_ops;
  details.keras_metadata_objects = walk.json_objects.size();
}

}  // namespace modelgate
