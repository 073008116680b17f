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
       "and datasets (CSV, cache, snapshot), CreateSummaryDbWriter, or PrintV2 with a file:// "
       "output_stream (it appends to that file) touch the filesystem when the graph runs; in an init op "
       "that is at load. In a model served to untrusted inputs they leak or overwrite files."},
      {"MG-SAVEDMODEL-NETWORK-OP", Severity::high, Status::unsafe,
       "The graph contains an op that connects to or listens on the network.",
       "tf.data service datasets (DataServiceDataset*, RegisterDataset*) and the RPC ops (RpcServer, "
       "RpcClient, RpcCall) open connections to addresses the graph names when it runs: a model that "
       "sends inputs away or fetches data from an attacker. A portable SavedModel never needs them."},
      {"MG-SAVEDMODEL-ASSET-OP", Severity::low, Status::unverified,
       "The graph initializes a table from a text file.",
       "InitializeTableFromTextFile reads a vocabulary file when the model is loaded. It is normal "
       "for text models whose vocabulary ships as a SavedModel asset, but the path is chosen by "
       "the model; check that it stays inside the model's assets."},
  };
  return rules;
}

}  // namespace modelgate
