#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> savedmodel_rules() {
  static const Rule rules[] = {
      {"MG-SAVEDMODEL-MALFORMED", Severity::high, Status::refused,
       "The TensorFlow protobuf could not be walked completely.",
       "The file looks like a SavedModel or Keras metadata protobuf but its wire encoding is "
       "broken or over a walking limit. It is refused rather than guessed at."},
      {"MG-SAVEDMODEL-PYTHON-OP", Severity::critical, Status::unsafe,
       "The graph contains an op that calls back into Python.",
       "PyFunc, PyFuncStateless and EagerPyFunc run a Python function registered in the loading "
       "process by token. With a crafted token registry or a wrapper that registers functions on "
       "load, they run arbitrary code. A portable SavedModel never needs them."},
      {"MG-SAVEDMODEL-FILE-OP", Severity::high, Status::unsafe,
       "The graph contains an op that reads or writes files.",
       "Ops such as ReadFile, WriteFile, MatchingFiles, ImmutableConst, the file-backed readers "
       "and datasets (CSV, cache, snapshot), summary and event writers, debug dumps, "
       "CreateSummaryDbWriter, PrintV2 with a file:// output_stream (it appends to that file), or a "
       "checkpoint op (SaveV2, MergeV2Checkpoints, RestoreV2...) whose path is a constant in the file "
       "rather than the one the loader passes, touch the filesystem when the graph runs; in an init op "
       "that is at load. In a model served to untrusted inputs they leak or overwrite files. The ops "
       "come from a table of TensorFlow's whole op registry (docs/formats-code.md)."},
      {"MG-SAVEDMODEL-NETWORK-OP", Severity::high, Status::unsafe,
       "The graph contains an op that connects to or listens on the network.",
       "tf.data service datasets (DataServiceDataset*, RegisterDataset*), the RPC ops (RpcServer, "
       "RpcClient, RpcCall), remote calls, send/recv and collectives of the distributed runtime, TPU "
       "system configuration and host callbacks reach addresses or processes outside the loading "
       "one when the graph runs: a model that sends inputs away or fetches data from an attacker. A "
       "portable SavedModel never needs them."},
      {"MG-SAVEDMODEL-ASSET-OP", Severity::low, Status::unverified,
       "The graph initializes a table from a text file.",
       "InitializeTableFromTextFile reads a vocabulary file when the model is loaded. It is normal "
       "for text models whose vocabulary ships as a SavedModel asset, but the path is chosen by "
       "the model; check that it stays inside the model's assets."},
      {"MG-SAVEDMODEL-UNKNOWN-OP", Severity::medium, Status::unverified,
       "The graph runs an op that is not a TensorFlow op, or one whose effects cannot be read.",
       "A node's op is neither in TensorFlow's op registry nor a function of the file's function "
       "library: a custom op, which the loader can only run after loading the native library that "
       "defines it (code the model asks you to trust), or a made-up name. Also reported for ops that "
       "run a program carried in an attribute (XlaCallModule, XlaCustomCall, TRTEngineOp, "
       "MlirPassthroughOp) or a graph deserialized from a tensor (DatasetFromGraph, whose GraphDef "
       "may be built when the graph runs), whose effects are not read here."},
      {"MG-SAVEDMODEL-CHECKPOINT-PATH", Severity::medium, Status::unverified,
       "A checkpoint op's path could not be traced to the path the loader passes.",
       "Save and restore ops normally take their prefix from the loader (the SaverDef's filename "
       "tensor, passed into the saver functions), joined with constant suffixes. This one's path "
       "comes through an op, a placeholder or a function caller the scanner does not follow (a regex "
       "rewrite, a serving input, a function called from elsewhere), so it may be a path fixed in "
       "the file or chosen by whoever runs the graph."},
  };
  return rules;
}

}  // namespace modelgate
