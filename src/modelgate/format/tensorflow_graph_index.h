#pragma once
// The graphs and function bodies of a TensorFlow protobuf found by the schema-free node walk, as
// scopes in which a node's inputs can be followed: which functions the file defines, and where the
// path a checkpoint op reads or writes comes from.
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "protowire/node_walk.h"

namespace modelgate {

enum class CheckpointPathSource {
  fed,         // from a placeholder or a function argument: the path the loader passes
  constant,    // every part is a Const in the file
  climbing,    // fed, but joined with a constant ".." component, or with a default (used when an init
               // op runs it unfed) that is absolute or a URL: it leaves the directory the loader passes
  unresolved,  // from an op this index does not follow
};

struct CheckpointPath {
  CheckpointPathSource source = CheckpointPathSource::unresolved;
  std::string shown;  // the constant path or part, or what could not be followed (printable, truncated)
};

class TensorflowGraphIndex {
 public:
  // `fed_tensors`: node names the loader feeds even though their op has a default (the SaverDef's
  // filename tensor, a PlaceholderWithDefault in TF1 savers).
  TensorflowGraphIndex(const std::vector<protowire::NodeDefLike>& nodes, std::set<std::string> fed_tensors);

  // FunctionDef signature names of every function library; a node whose op is one calls it.
  bool is_function(const std::string& name) const { return functions_.count(name) != 0; }

  // True for a node of a GraphDef (node, field 1) or a FunctionDef body (node_def, field 3).
  static bool in_graph(const protowire::NodeDefLike& node) {
    return node.named && (node.field == 1 || node.field == 3);
  }

  // Where the path input `input_index` of checkpoint op `node` comes from (`node` must be in_graph).
  CheckpointPath checkpoint_path(const protowire::NodeDefLike& node, std::size_t input_index) const;

 private:
  struct Scope {
    std::map<std::string, const protowire::NodeDefLike*> nodes;
    std::set<std::string> arguments;  // a FunctionDef's input_arg names
  };
  struct Eval;
  void follow(const Scope& scope, const std::string& input, unsigned depth, Eval& out) const;

  std::map<std::size_t, Scope> scopes_;  // by container offset
  std::set<std::string> functions_;
  std::set<std::string> fed_tensors_;
};

// NodeDef.input (field 3): the data inputs, control inputs ("^name") left out.
std::vector<std::string> node_data_inputs(const protowire::NodeDefLike& node);

}  // namespace modelgate
