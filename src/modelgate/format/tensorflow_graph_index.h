#pragma once
// The graphs and function bodies of a TensorFlow protobuf found by the schema-free node walk, as
// scopes in which a node's inputs can be followed: which functions the file defines, who calls
// them, and where the path a checkpoint op reads or writes comes from.
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "protowire/node_walk.h"

namespace modelgate {

enum class CheckpointPathSource {
  fed,         // the path the loader passes (the SaverDef's filename tensor, through the arguments of
               // the functions it is passed to), followed only by constant suffixes under it
  constant,    // a possible value is fixed in the file
  climbing,    // the loader's path, but with a suffix that has a ".." component, placed after a
               // constant (inside a directory the file names), or with a default (used when an init
               // op runs it unfed) that is absolute or a URL: it leaves the directory the loader passes
  unresolved,  // through an op, attribute or caller this index does not follow
};

struct CheckpointPath {
  CheckpointPathSource source = CheckpointPathSource::unresolved;
  std::string shown;  // the constant path or part, or what could not be followed (printable, truncated)
};

class TensorflowGraphIndex {
 public:
  // `file`: the whole protobuf the nodes were walked from (every reference to a function's name in
  // it must be a call site the index reads before the function's arguments are traced to them).
  // `fed_tensors`: node names the loader feeds with the variables' path (the SaverDef's filename
  // tensor: TF2's saver_filename Placeholder, TF1's PlaceholderWithDefault).
  TensorflowGraphIndex(ByteView file, const std::vector<protowire::NodeDefLike>& nodes,
                       std::set<std::string> fed_tensors);

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
    std::string function;                          // the FunctionDef's name; empty for a GraphDef
    std::map<std::string, std::size_t> arguments;  // a FunctionDef's input_arg names, by position
    std::size_t single_arguments = 0;              // leading arguments that take one input each
  };
  struct Value;
  struct Trace;
  Value follow(const Scope& scope, const std::string& input, unsigned depth, Trace& trace) const;
  Value follow_node(const Scope& scope, const protowire::NodeDefLike& node, unsigned depth, Trace& trace) const;
  Value follow_argument(const Scope& scope, const std::string& argument, std::size_t position, unsigned depth,
                        Trace& trace) const;
  // How many times `function` occurs in the file as a whole length-delimited field (memoised, a
  // bounded number of scans per file).
  std::size_t references(const std::string& function) const;

  ByteView file_;
  std::map<std::size_t, Scope> scopes_;  // by container offset
  std::set<std::string> functions_;
  std::map<std::string, std::size_t> definitions_;  // FunctionDefs by name
  std::map<std::string, std::vector<const protowire::NodeDefLike*>> call_sites_;
  std::set<std::string> fed_tensors_;
  mutable std::map<std::string, std::size_t> references_;
};

// NodeDef.input (field 3): the data inputs, control inputs ("^name") left out.
std::vector<std::string> node_data_inputs(const protowire::NodeDefLike& node);

}  // namespace modelgate
