// TensorFlow SavedModel (`saved_model.pb`) and Keras' `keras_metadata.pb`, walked as generic
// protobuf: NodeDef-shaped messages anywhere in the file are op invocations; JSON objects with a
// "class_name" are Keras layer metadata and go through the Keras config analysis.
#include <map>
#include <string_view>

#include "core/display_facts.h"
#include "format/code_format_probes.h"
#include "core/rule_catalog.h"
#include "format/keras_config.h"
#include "protowire/node_walk.h"
#include "protowire/wire.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

enum class OpClass { ordinary, python, file, asset, checkpoint };

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

}  // namespace

// The probes read in prefix mode so that a truncated file is still recognised (and then refused).
bool looks_like_saved_model(ByteView bytes) {
  protowire::MessageReader r(bytes);
  r.allow_truncated_tail();
  protowire::Field f;
  bool have_meta_graph = false;
  while (r.next(f)) {
    if (f.number == 1 && f.type == protowire::WireType::varint) continue;
    if (f.number != 2 || f.type != protowire::WireType::len) return false;
    if (have_meta_graph) continue;
    // The first MetaGraphDef: only length-delimited fields 1..7, with a meta_info_def or graph_def.
    protowire::MessageReader m(f.bytes);
    if (r.truncated()) m.allow_truncated_tail();
    protowire::Field g;
    bool graph_or_info = false;
    while (m.next(g)) {
      if (g.type != protowire::WireType::len || g.number > 7) return false;
      graph_or_info |= g.number <= 2;
    }
    if (m.error() || !graph_or_info) return false;
    have_meta_graph = true;
  }
  return !r.error() && have_meta_graph;
}

bool looks_like_keras_metadata_pb(ByteView bytes) {
  protowire::MessageReader r(bytes);
  r.allow_truncated_tail();
  protowire::Field f;
  bool first = true, keras_identifier = false;
  while (r.next(f)) {
    if (f.number != 1 || f.type != protowire::WireType::len) return false;
    if (!first) continue;
    first = false;
    protowire::MessageReader m(f.bytes);
    if (r.truncated()) m.allow_truncated_tail();
    protowire::Field g;
    while (m.next(g)) {
      if (g.number == 2 && g.type == protowire::WireType::varint) continue;
      if (g.number < 3 || g.number > 6 || g.type != protowire::WireType::len) return false;
      if (g.number == 4) keras_identifier = as_chars(g.bytes).starts_with("_tf_keras");
    }
    if (m.error()) return false;
  }
  return !r.error() && keras_identifier;
}

// fingerprint.pb (TF >= 2.12): FingerprintDef, five uint64 hashes and a VersionDef. Pure data.
bool looks_like_tf_fingerprint(ByteView bytes) {
  protowire::MessageReader r(bytes);
  protowire::Field f;
  unsigned hashes = 0;
  while (r.next(f)) {
    if (f.number >= 1 && f.number <= 5 && f.type == protowire::WireType::varint) ++hashes;
    else if (!(f.number == 6 && f.type == protowire::WireType::len && protowire::is_flat_message(f.bytes))) return false;
  }
  return !r.error() && hashes >= 3;
}

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
    if (e->cls != OpClass::python && e->cls != OpClass::file && e->cls != OpClass::asset) {
      ++checkpoint_ops[node.op];
      continue;
    }
    if (!node.named && e->cls == OpClass::asset) continue;
    const RuleId id = e->cls == OpClass::python ? RuleId("MG-SAVEDMODEL-PYTHON-OP")
                      : e->cls == OpClass::file ? RuleId("MG-SAVEDMODEL-FILE-OP")
                                                : RuleId("MG-SAVEDMODEL-ASSET-OP");
    report.add(make_finding(rule(id), a.origin, node.offset,
                            "node '" + node.name + "' runs op " + node.op + ", which " + std::string(e->what),
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
