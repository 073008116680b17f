// TensorFlow SavedModel (`saved_model.pb`) and Keras' `keras_metadata.pb`, walked as generic
// protobuf: NodeDef-shaped messages anywhere in the file are op invocations; JSON objects with a
// "class_name" are Keras layer metadata and go through the Keras config analysis.
#include <map>
#include <string_view>

#include "core/display_facts.h"
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
