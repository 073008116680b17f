// TensorFlow SavedModel (`saved_model.pb`) and Keras' `keras_metadata.pb`, walked as generic
// protobuf: NodeDef-shaped messages anywhere in the file are op invocations; JSON objects with a
// "class_name" are Keras layer metadata and go through the Keras config analysis.
#include <map>
#include <optional>
#include <string_view>

#include "core/display_facts.h"
#include "core/rule_catalog.h"
#include "format/keras_config.h"
#include "protowire/node_walk.h"
#include "protowire/wire.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

enum class OpClass { ordinary, python, file, network, asset, checkpoint, print };

struct OpEntry {
  std::string_view op;
  OpClass cls;
  std::string_view what;
};

// Ops that reach outside the graph. Save/Restore ops are in every SavedModel's saver graph and
// only touch the checkpoint prefix they are fed; they are listed as facts, not findings.
constexpr OpEntry kOps[] = {
    {"PyFunc", OpClass::python, "calls a Python function"},
    {"PyFuncStateless", OpClass::python, "calls a Python function"},
    {"EagerPyFunc", OpClass::python, "calls a Python function eagerly"},
    {"ReadFile", OpClass::file, "reads a whole file"},
    {"WriteFile", OpClass::file, "writes a file"},
    {"MatchingFiles", OpClass::file, "lists files matching a glob"},
    {"ImmutableConst", OpClass::file, "memory-maps a file"},
    {"WholeFileReader", OpClass::file, "reads whole files"},
    {"WholeFileReaderV2", OpClass::file, "reads whole files"},
    {"TextLineReader", OpClass::file, "reads text files"},
    {"TextLineReaderV2", OpClass::file, "reads text files"},
    {"FixedLengthRecordReader", OpClass::file, "reads record files"},
    {"FixedLengthRecordReaderV2", OpClass::file, "reads record files"},
    {"TFRecordReader", OpClass::file, "reads TFRecord files"},
    {"TFRecordReaderV2", OpClass::file, "reads TFRecord files"},
    {"LMDBReader", OpClass::file, "reads LMDB files"},
    {"TFRecordDataset", OpClass::file, "reads TFRecord files"},
    {"TFRecordDatasetV2", OpClass::file, "reads TFRecord files"},
    {"TextLineDataset", OpClass::file, "reads text files"},
    {"FixedLengthRecordDataset", OpClass::file, "reads record files"},
    {"FixedLengthRecordDatasetV2", OpClass::file, "reads record files"},
    {"LMDBDataset", OpClass::file, "reads LMDB files"},
    {"ExperimentalLMDBDataset", OpClass::file, "reads LMDB files"},
    {"SqlDataset", OpClass::file, "opens a database file"},
    {"ExperimentalSqlDataset", OpClass::file, "opens a database file"},
    {"LoadDataset", OpClass::file, "reads a saved dataset"},
    {"SaveDataset", OpClass::file, "writes a dataset to files"},
    {"SaveDatasetV2", OpClass::file, "writes a dataset to files"},
    {"DatasetToTFRecord", OpClass::file, "writes a TFRecord file"},
    {"ExperimentalDatasetToTFRecord", OpClass::file, "writes a TFRecord file"},
    {"CreateSummaryFileWriter", OpClass::file, "writes event files"},
    {"DebugIdentity", OpClass::file, "dumps tensors to file:// or grpc:// debug URLs"},
    {"DebugIdentityV2", OpClass::file, "dumps tensors to a debug directory"},
    {"DebugIdentityV3", OpClass::file, "dumps tensors to file:// or grpc:// debug URLs"},
    {"DebugNanCount", OpClass::file, "dumps tensors to file:// or grpc:// debug URLs"},
    {"DebugNumericSummary", OpClass::file, "dumps tensors to file:// or grpc:// debug URLs"},
    {"DebugNumericSummaryV2", OpClass::file, "dumps tensors to a debug directory"},
    {"DecodeProtoV2", OpClass::file, "may load a descriptor set from a file path"},
    {"CacheDataset", OpClass::file, "caches a dataset in files under a filename it is given"},
    {"CacheDatasetV2", OpClass::file, "caches a dataset in files under a filename it is given"},
    {"SnapshotDataset", OpClass::file, "writes and reads dataset snapshots under a path"},
    {"SnapshotDatasetV2", OpClass::file, "writes and reads dataset snapshots under a path"},
    {"ExperimentalSnapshotDataset", OpClass::file, "writes and reads dataset snapshots under a path"},
    {"SnapshotDatasetReader", OpClass::file, "reads dataset snapshot files"},
    {"SnapshotNestedDatasetReader", OpClass::file, "reads dataset snapshot files"},
    {"SnapshotChunkDataset", OpClass::file, "reads dataset snapshot files"},
    {"ListSnapshotChunksDataset", OpClass::file, "lists dataset snapshot files"},
    {"DistributedSave", OpClass::file, "writes a dataset snapshot"},
    {"CSVDataset", OpClass::file, "reads CSV files"},
    {"CSVDatasetV2", OpClass::file, "reads CSV files"},
    {"ExperimentalCSVDataset", OpClass::file, "reads CSV files"},
    {"CreateSummaryDbWriter", OpClass::file, "writes an SQLite database file"},
    {"LoadAndRemapMatrix", OpClass::file, "reads a checkpoint at a path it is given"},
    {"GenerateVocabRemapping", OpClass::file, "reads vocabulary files"},
    {"FileSystemSetConfiguration", OpClass::file, "changes a file system's configuration"},
    {"DataServiceDataset", OpClass::network, "reads a dataset from a tf.data service address"},
    {"DataServiceDatasetV2", OpClass::network, "reads a dataset from a tf.data service address"},
    {"DataServiceDatasetV3", OpClass::network, "reads a dataset from a tf.data service address"},
    {"DataServiceDatasetV4", OpClass::network, "reads a dataset from a tf.data service address"},
    {"RegisterDataset", OpClass::network, "sends a dataset to a tf.data service address"},
    {"RegisterDatasetV2", OpClass::network, "sends a dataset to a tf.data service address"},
    {"RpcServer", OpClass::network, "listens on a network address"},
    {"RpcServerStart", OpClass::network, "listens on a network address"},
    {"RpcClient", OpClass::network, "connects to a network address"},
    {"RpcCall", OpClass::network, "calls a remote function over the network"},
    // Prints to stderr, stdout or the log unless output_stream names a file (file://...), which
    // logging_ops.cc PrintV2Op appends to (AppendStringToFile).
    {"PrintV2", OpClass::print, "appends to the file its output_stream names"},
    {"InitializeTableFromTextFile", OpClass::asset, "reads a vocabulary file"},
    {"InitializeTableFromTextFileV2", OpClass::asset, "reads a vocabulary file"},
    {"Save", OpClass::checkpoint, ""},
    {"SaveSlices", OpClass::checkpoint, ""},
    {"SaveV2", OpClass::checkpoint, ""},
    {"Restore", OpClass::checkpoint, ""},
    {"RestoreSlice", OpClass::checkpoint, ""},
    {"RestoreV2", OpClass::checkpoint, ""},
    {"MergeV2Checkpoints", OpClass::checkpoint, ""},
};

const OpEntry* find_op(std::string_view op) {
  for (const auto& e : kOps)
    if (e.op == op) return &e;
  return nullptr;
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

// PrintV2's output_stream: stderr when absent; otherwise AttrValue.s (field 2) must be one of the
// streams PrintV2Op writes without a file. A placeholder (set by the calling function) or any
// other value is taken as the file it may be.
bool prints_to_standard_stream(ByteView node, std::string& stream) {
  auto attr = node_attr(node, "output_stream");
  if (!attr) return true;
  std::optional<ByteView> s;
  protowire::MessageReader r(*attr);
  protowire::Field f;
  while (r.next(f))
    if (f.number == 2 && f.type == protowire::WireType::len) s = f.bytes;
  if (!s) {
    stream = "(not a constant string)";
    return false;
  }
  stream = std::string(as_chars(*s).substr(0, 200));
  for (std::string_view ok : {"stderr", "stdout", "log(info)", "log(warning)", "log(error)"})
    if (as_chars(*s) == ok) return true;
  return false;
}

}  // namespace

void scan_tf_fingerprint(const Artifact& a, NestedScan&, ArtifactReport& report) {
  protowire::MessageReader r(a.bytes);
  protowire::Field f;
  while (r.next(f))
    if (f.number == 1 && f.type == protowire::WireType::varint) json_of(report.facts)["saved_model_checksum"] = f.value;
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
  std::map<std::string, std::uint64_t> op_counts;
  std::map<std::string, std::uint64_t> checkpoint_ops;
  std::uint64_t named_nodes = 0;
  for (const auto& node : walk.nodes) {
    if (node.named) {
      ++named_nodes;
      if (op_counts.size() < ctx.limits().max_listed_op_types || op_counts.count(node.op)) ++op_counts[node.op];
    }
    const OpEntry* e = find_op(node.op);
    if (e == nullptr || e->cls == OpClass::ordinary) continue;
    if (e->cls == OpClass::checkpoint) {
      ++checkpoint_ops[node.op];
      continue;
    }
    std::string what(e->what);
    if (e->cls == OpClass::print) {
      std::string stream;
      if (prints_to_standard_stream(node.message, stream)) continue;
      what += " (output_stream " + stream + ")";
    }
    if (!node.named && e->cls == OpClass::asset) continue;
    const RuleId id = e->cls == OpClass::python    ? RuleId("MG-SAVEDMODEL-PYTHON-OP")
                      : e->cls == OpClass::network ? RuleId("MG-SAVEDMODEL-NETWORK-OP")
                      : e->cls == OpClass::asset   ? RuleId("MG-SAVEDMODEL-ASSET-OP")
                                                   : RuleId("MG-SAVEDMODEL-FILE-OP");
    report.add(make_finding(rule(id), a.origin, node.offset, "node '" + node.name + "' runs op " + node.op + ", which " + what,
                            node.op + " " + node.name));
  }
  for (const auto& text : walk.json_objects)
    analyse_keras_config(as_chars(text.text), a.origin, ctx.limits(), report, text.offset);
  json_of(report.facts)["nodes"] = named_nodes;
  json_of(report.facts)["op_types"] = op_counts;
  if (!checkpoint_ops.empty()) json_of(report.facts)["checkpoint_ops"] = checkpoint_ops;
  json_of(report.facts)["keras_metadata_objects"] = walk.json_objects.size();
}

}  // namespace modelgate
