#include "format/tensorflow_graph_index.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "protowire/wire.h"

namespace modelgate {

namespace {

constexpr unsigned kMaxFollowDepth = 32;
constexpr std::size_t kMaxFollowedNodes = 512;
constexpr std::size_t kMaxAlternatives = 16;  // possible values of one path (Select, Pack, string vectors)
// Counting a function's references reads the whole file: at least 4 functions, then as many as
// 1 GiB of reading allows, per file.
constexpr std::size_t kMinReferenceScans = 4;
constexpr std::size_t kMaxReferenceScanBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxShownPath = 200;

// ShardedFilename appends "-%05d-of-%05d" (io_ops.cc ShardedFilenameOp), ShardedFilespec
// "-?????-of-%05d": no separator, no "..", shown as this.
constexpr std::string_view kShardSuffix = "-NNNNN-of-NNNNN";

// Each length-delimited occurrence of `number` in `message`, in order (protobuf merges repeated
// occurrences of a singular message field, so every one counts).
std::vector<ByteView> len_fields(ByteView message, std::uint32_t number) {
  std::vector<ByteView> out;
  protowire::MessageReader r(message);
  protowire::Field f;
  while (r.next(f))
    if (f.number == number && f.type == protowire::WireType::len) out.push_back(f.bytes);
  return out;
}

std::optional<ByteView> last_len_field(ByteView message, std::uint32_t number) {
  auto all = len_fields(message, number);
  if (all.empty()) return std::nullopt;
  return all.back();
}

// OpDef.name (field 1) of FunctionDef.signature (field 1).
std::optional<std::string> function_name(ByteView function_def) {
  std::optional<std::string> name;
  for (ByteView signature : len_fields(function_def, 1))
    if (protowire::is_flat_message(signature))
      if (auto n = last_len_field(signature, 1); n && protowire::is_op_type(*n)) name = std::string(as_chars(*n));
  return name;
}

std::string shown_text(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxShownPath)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (text.size() > kMaxShownPath) out += "...";
  return out;
}

// A singular message field as protobuf reads it: every occurrence merged, which is the message
// their bytes make one after another. nullopt when the field is absent.
std::optional<std::string> merged_field(ByteView message, std::uint32_t number) {
  auto all = len_fields(message, number);
  if (all.empty()) return std::nullopt;
  std::string out;
  for (ByteView part : all) out += as_chars(part);
  return out;
}

// NodeDef.attr (field 5) entry `key`: AttrValue. A map keeps the last entry of a key; within it, the
// value (field 2) is a message, merged.
std::optional<std::string> attr_value(ByteView node, std::string_view key) {
  std::optional<std::string> found;
  for (ByteView entry : len_fields(node, 5)) {
    auto k = last_len_field(entry, 1);
    if (k && as_chars(*k) == key) found = merged_field(entry, 2).value_or(std::string());
  }
  return found;
}

// The function an AttrValue names: AttrValue.func (field 10), NameAttrList.name (field 1).
std::optional<std::string> attr_function(std::string_view attr) {
  auto func = merged_field(as_byte_view(attr), 10);
  if (!func || !protowire::is_flat_message(as_byte_view(*func))) return std::nullopt;
  auto name = last_len_field(as_byte_view(*func), 1);
  if (!name) return std::nullopt;
  return std::string(as_chars(*name));
}

// A string attribute (AttrValue.s, field 2): nullopt for a placeholder or any other kind of value
// (the value is a oneof: any other member may be the one set). An absent attribute is the empty
// string (StringJoin's separator default).
std::optional<std::string> string_attr_or_empty(ByteView node, std::string_view key) {
  auto attr = attr_value(node, key);
  if (!attr) return std::string();
  protowire::MessageReader r(as_byte_view(*attr));
  protowire::Field f;
  std::optional<std::string> s;
  bool other = false;
  while (r.next(f)) {
    if (f.number == 2 && f.type == protowire::WireType::len)
      s = std::string(as_chars(f.bytes));
    else
      other = true;
  }
  if (other || r.error()) return std::nullopt;
  return s ? s : std::string();
}

// A string Const's values: AttrValue.tensor (field 8), TensorProto.string_val (field 8), every one
// of every merged occurrence (TensorFlow takes as many as the shape holds; a vector Const joined to
// a path gives one path per element). nullopt when the value is not written as strings: a
// placeholder attribute, or tensor_content (field 4), which TensorFlow decodes as an encoded string
// list for DT_STRING.
std::optional<std::vector<std::string>> const_strings(ByteView node) {
  auto value = attr_value(node, "value");
  if (!value || !protowire::is_flat_message(as_byte_view(*value))) return std::nullopt;
  auto tensor = merged_field(as_byte_view(*value), 8);
  if (!tensor || !protowire::is_flat_message(as_byte_view(*tensor))) return std::nullopt;
  if (!len_fields(as_byte_view(*tensor), 4).empty()) return std::nullopt;
  std::vector<std::string> out;
  for (ByteView s : len_fields(as_byte_view(*tensor), 8)) out.emplace_back(as_chars(s));
  if (out.empty()) out.emplace_back();  // no string_val: TensorFlow fills the tensor with ""
  return out;
}

// "..", "../x", "x/..", "x/../y": climbs out of the directory a fed prefix names.
bool has_parent_component(std::string_view path) {
  for (std::size_t at = path.find(".."); at != std::string_view::npos; at = path.find("..", at + 1)) {
    bool starts = at == 0 || path[at - 1] == '/' || path[at - 1] == '\\';
    bool ends = at + 2 == path.size() || path[at + 2] == '/' || path[at + 2] == '\\';
    if (starts && ends) return true;
  }
  return false;
}

// An absolute path, a URL, or one that climbs with "..".
bool leaves_working_directory(std::string_view path) {
  if (path.empty()) return false;
  bool drive = path.size() >= 2 && path[1] == ':';
  return path[0] == '/' || path[0] == '\\' || drive || path.find("://") != std::string_view::npos ||
         has_parent_component(path);
}

// The bytes of a protobuf varint.
std::string varint_bytes(std::uint64_t n) {
  std::string out;
  do {
    auto b = static_cast<unsigned char>(n & 0x7f);
    n >>= 7;
    out += static_cast<char>(n ? b | 0x80 : b);
  } while (n);
  return out;
}

}  // namespace

std::vector<std::string> node_data_inputs(const protowire::NodeDefLike& node) {
  std::vector<std::string> out;
  for (ByteView in : len_fields(node.message, 3))
    if (!in.empty() && in[0] != '^') out.emplace_back(as_chars(in));
  return out;
}

// Named (not anonymous) because a member of TensorflowGraphIndex holds it.
namespace tensorflow_graph_index_detail {

// One possible value of a path: the loader's path followed by `text`, or the constant `text`.
struct PathAlternative {
  bool fed = false;
  std::string text;
  bool operator==(const PathAlternative&) const = default;
};

}  // namespace tensorflow_graph_index_detail

using tensorflow_graph_index_detail::PathAlternative;

struct TensorflowGraphIndex::Value {
  std::vector<PathAlternative> alternatives;
};

struct TensorflowGraphIndex::Trace {
  std::string unresolved;  // the first thing not followed
  std::string climbing;    // the first fed path placed where it leaves the loader's directory
  std::size_t followed = 0;
  std::set<const protowire::NodeDefLike*> on_path;  // nodes and call sites being followed

  void not_followed(std::string what) {
    if (unresolved.empty()) unresolved = std::move(what);
  }
  // not_followed, as the helpers below take it.
  std::function<void(std::string)> adder() {
    return [this](std::string what) { not_followed(std::move(what)); };
  }
};

namespace {

using Alternatives = std::vector<PathAlternative>;

// Adds `alt` to `to` unless it is there already; false (and `to` unchanged) past kMaxAlternatives.
bool add_alternative(Alternatives& to, PathAlternative alt, const std::function<void(std::string)>& not_followed) {
  if (std::find(to.begin(), to.end(), alt) != to.end()) return true;
  if (to.size() >= kMaxAlternatives) {
    not_followed("more than " + std::to_string(kMaxAlternatives) + " possible paths");
    return false;
  }
  to.push_back(std::move(alt));
  return true;
}

// Every value of `a` followed by every value of `b`. The loader's path may only come first: after a
// non-empty constant it lands inside a directory the file names.
Alternatives concatenate(const Alternatives& a, const Alternatives& b, std::string& climbing,
                         const std::function<void(std::string)>& not_followed) {
  Alternatives out;
  for (const auto& x : a)
    for (const auto& y : b) {
      if (x.fed && y.fed) {
        not_followed("the loader's path joined with itself");
        continue;
      }
      if (y.fed && !x.text.empty() && climbing.empty()) climbing = x.text + "<the loader's path>";
      if (!add_alternative(out, {x.fed || y.fed, x.text + y.text}, not_followed)) return out;
    }
  return out;
}

}  // namespace

TensorflowGraphIndex::TensorflowGraphIndex(ByteView file, const std::vector<protowire::NodeDefLike>& nodes,
                                           std::set<std::string> fed_tensors)
    : file_(file), fed_tensors_(std::move(fed_tensors)) {
  std::set<const std::uint8_t*> function_defs;
  auto define = [&](ByteView function_def, const std::string& name) {
    if (function_defs.insert(function_def.data()).second) ++definitions_[name];
  };
  for (const auto& node : nodes) {
    if (!in_graph(node)) continue;
    auto [it, fresh] = scopes_.try_emplace(node.container_offset);
    Scope& scope = it->second;
    scope.nodes.emplace(node.name, &node);
    if (!fresh) continue;
    if (node.field == 3) {
      if (auto name = function_name(node.container)) {
        functions_.insert(*name);
        define(node.container, *name);
        scope.function = *name;
      }
      // OpDef.input_arg (field 2), ArgDef.name (1); number_attr (5) and type_list_attr (6) make an
      // argument take a list of inputs, after which positions no longer match inputs.
      bool single = true;
      for (ByteView signature : len_fields(node.container, 1)) {
        if (!protowire::is_flat_message(signature)) continue;
        for (ByteView arg : len_fields(signature, 2)) {
          if (!protowire::is_flat_message(arg)) continue;
          auto n = last_len_field(arg, 1);
          if (!n) continue;
          single = single && len_fields(arg, 5).empty() && len_fields(arg, 6).empty();
          std::size_t position = scope.arguments.size();
          scope.arguments.emplace(as_chars(*n), position);
          if (single) scope.single_arguments = scope.arguments.size();
        }
      }
    } else {
      // GraphDef.library (field 2), FunctionDefLibrary.function (field 1): functions defined with
      // or without a body.
      for (ByteView library : len_fields(node.container, 2)) {
        if (!protowire::is_flat_message(library)) continue;
        for (ByteView function : len_fields(library, 1))
          if (protowire::is_flat_message(function))
            if (auto name = function_name(function)) {
              functions_.insert(*name);
              define(function, *name);
            }
      }
    }
  }
  // Call sites whose inputs are the function's arguments in order: the partitioned calls TF2 writes
  // (attribute f) and nodes whose op is the function's name.
  for (const auto& node : nodes) {
    if (!in_graph(node)) continue;
    if (node.op == "StatefulPartitionedCall" || node.op == "PartitionedCall") {
      if (auto f = attr_value(node.message, "f"))
        if (auto name = attr_function(*f)) call_sites_[*name].push_back(&node);
    } else if (functions_.count(node.op)) {
      call_sites_[node.op].push_back(&node);
    }
  }
}

std::size_t TensorflowGraphIndex::references(const std::string& function) const {
  if (auto it = references_.find(function); it != references_.end()) return it->second;
  if (function.empty()) return SIZE_MAX;
  if (references_.size() >= kMinReferenceScans && (references_.size() + 1) * file_.size() > kMaxReferenceScanBytes)
    return SIZE_MAX;
  const std::string field = varint_bytes(function.size()) + function;
  const std::string_view text = as_chars(file_);
  const std::boyer_moore_horspool_searcher searcher(field.begin(), field.end());
  std::size_t count = 0;
  for (auto at = std::search(text.begin(), text.end(), searcher); at != text.end();
       at = std::search(at + 1, text.end(), searcher))
    ++count;
  references_.emplace(function, count);
  return count;
}

TensorflowGraphIndex::Value TensorflowGraphIndex::follow_argument(const Scope& scope, const std::string& argument,
                                                                  std::size_t position, unsigned depth,
                                                                  Trace& trace) const {
  const std::string shown = "argument '" + shown_text(argument) + "' of function '" + shown_text(scope.function) + "'";
  if (scope.function.empty()) {
    trace.not_followed(shown + ", whose function has no name");
    return {};
  }
  if (position >= scope.single_arguments) {
    trace.not_followed(shown + ", which follows a list argument");
    return {};
  }
  auto sites = call_sites_.find(scope.function);
  if (sites == call_sites_.end()) {
    trace.not_followed(shown + ", a function no node of the file calls");
    return {};
  }
  // Every occurrence of the name must be its definition or a call site read here: another one (a
  // While body, a dataset function, a gradient, an object graph entry the loading program calls)
  // passes arguments this trace does not see.
  auto defined = definitions_.find(scope.function);
  std::size_t accounted = sites->second.size() + (defined == definitions_.end() ? 0 : defined->second);
  if (references(scope.function) > accounted) {
    trace.not_followed(shown + ": the function is named where the scanner does not read its caller's inputs");
    return {};
  }
  Value out;
  for (const auto* site : sites->second) {
    if (trace.followed >= kMaxFollowedNodes) {
      trace.not_followed("input chain longer than the scanner follows");
      return {};
    }
    auto site_scope = scopes_.find(site->container_offset);
    auto inputs = node_data_inputs(*site);
    if (site_scope == scopes_.end() || position >= inputs.size()) {
      trace.not_followed(shown + ": call '" + shown_text(site->name) + "' passes no such input");
      return {};
    }
    if (trace.on_path.count(site)) {
      trace.not_followed(shown + ": a recursive call '" + shown_text(site->name) + "'");
      return {};
    }
    trace.on_path.insert(site);
    Value v = follow(site_scope->second, inputs[position], depth + 1, trace);
    trace.on_path.erase(site);
    for (auto& alt : v.alternatives)
      if (!add_alternative(out.alternatives, std::move(alt), trace.adder())) return out;
  }
  return out;
}

TensorflowGraphIndex::Value TensorflowGraphIndex::follow(const Scope& scope, const std::string& input, unsigned depth,
                                                         Trace& trace) const {
  if (depth > kMaxFollowDepth || ++trace.followed > kMaxFollowedNodes) {
    trace.not_followed("input chain longer than the scanner follows");
    return {};
  }
  std::string name = input.substr(0, input.find(':'));
  if (auto arg = scope.arguments.find(name); arg != scope.arguments.end())
    return follow_argument(scope, name, arg->second, depth, trace);
  auto it = scope.nodes.find(name);
  if (it == scope.nodes.end()) {
    trace.not_followed("input '" + shown_text(input) + "' names no node of its graph");
    return {};
  }
  const protowire::NodeDefLike& node = *it->second;
  if (trace.on_path.count(&node)) {
    trace.not_followed("a loop through node '" + shown_text(node.name) + "'");
    return {};
  }
  trace.on_path.insert(&node);
  Value v = follow_node(scope, node, depth, trace);
  trace.on_path.erase(&node);
  return v;
}

// The ops TensorFlow's savers build a checkpoint path with (python/training/saver.py
// _AddShardedSaveOpsForV2, python/checkpoint/functional_saver.py MultiDeviceSaver.save), and nothing
// else: the filename tensor, StringJoin with constant suffixes, Select between ".part" and
// "_temp/part", ShardedFilename, Pack of the shards for MergeV2Checkpoints, Identity.
TensorflowGraphIndex::Value TensorflowGraphIndex::follow_node(const Scope& scope, const protowire::NodeDefLike& node,
                                                              unsigned depth, Trace& trace) const {
  const std::string& op = node.op;
  const std::string shown = "node '" + shown_text(node.name) + "' (op " + shown_text(op) + ")";
  const bool fed = node.field == 1 && fed_tensors_.count(node.name) != 0;
  auto inputs = node_data_inputs(node);
  auto loader_path = [] {
    Value v;
    v.alternatives.push_back(PathAlternative{true, {}});
    return v;
  };
  if (op == "Placeholder") {
    if (fed) return loader_path();
    trace.not_followed(shown + ", which is not the filename tensor the SaverDef names");
    return {};
  }
  if (op == "PlaceholderWithDefault") {
    if (inputs.empty()) {
      trace.not_followed(shown + " without a default");
      return {};
    }
    if (!fed) return follow(scope, inputs[0], depth + 1, trace);
    // Fed when the loader restores variables, but an init op that reaches it runs with the
    // default: a default outside the working directory is where that one writes, and one the trace
    // cannot follow may be anywhere. (TF1's Saver: "save/filename" with the default "model".)
    Value d = follow(scope, inputs[0], depth + 1, trace);
    for (const auto& alt : d.alternatives) {
      bool leaves = alt.fed ? has_parent_component(alt.text) : leaves_working_directory(alt.text);
      if (leaves && trace.climbing.empty()) trace.climbing = (alt.fed ? "<the loader's path>" : "") + alt.text;
    }
    return loader_path();
  }
  if (op == "Const") {
    auto strings = const_strings(node.message);
    if (!strings) {
      trace.not_followed(shown + ", whose value is not written as strings");
      return {};
    }
    Value v;
    for (auto& text : *strings)
      if (!add_alternative(v.alternatives, {false, std::move(text)}, trace.adder())) return {};
    return v;
  }
  if (op == "Identity") {
    if (inputs.size() != 1) {
      trace.not_followed(shown + " with " + std::to_string(inputs.size()) + " inputs");
      return {};
    }
    return follow(scope, inputs[0], depth + 1, trace);
  }
  auto not_followed = trace.adder();
  if (op == "StringJoin") {
    auto separator = string_attr_or_empty(node.message, "separator");
    if (!separator) {
      trace.not_followed(shown + ", whose separator is not a constant string");
      return {};
    }
    if (inputs.empty()) {
      trace.not_followed(shown + " without inputs");
      return {};
    }
    Value out = follow(scope, inputs[0], depth + 1, trace);
    for (std::size_t i = 1; i < inputs.size(); ++i) {
      Value part = follow(scope, inputs[i], depth + 1, trace);
      if (!separator->empty())
        out.alternatives = concatenate(out.alternatives, Alternatives{PathAlternative{false, *separator}}, trace.climbing,
                                       not_followed);
      out.alternatives = concatenate(out.alternatives, part.alternatives, trace.climbing, not_followed);
    }
    return out;
  }
  if (op == "ShardedFilename" || op == "ShardedFilespec") {
    // The shard number and count are integers formatted as digits.
    if (inputs.empty()) {
      trace.not_followed(shown + " without inputs");
      return {};
    }
    Value out = follow(scope, inputs[0], depth + 1, trace);
    for (auto& alt : out.alternatives) alt.text += kShardSuffix;
    return out;
  }
  if (op == "Select" || op == "SelectV2" || op == "Pack") {
    // Select's first input is the condition; each other input is one possible path (for Pack, one
    // of the paths MergeV2Checkpoints reads).
    Value out;
    for (std::size_t i = op == "Pack" ? 0 : 1; i < inputs.size(); ++i) {
      Value choice = follow(scope, inputs[i], depth + 1, trace);
      for (auto& alt : choice.alternatives)
        if (!add_alternative(out.alternatives, std::move(alt), trace.adder())) return out;
    }
    return out;
  }
  trace.not_followed(shown);
  return {};
}

CheckpointPath TensorflowGraphIndex::checkpoint_path(const protowire::NodeDefLike& node,
                                                     std::size_t input_index) const {
  auto scope = scopes_.find(node.container_offset);
  auto inputs = node_data_inputs(node);
  if (scope == scopes_.end() || input_index >= inputs.size())
    return {CheckpointPathSource::unresolved, "the path input is missing"};
  Trace trace;
  trace.on_path.insert(&node);
  Value v = follow(scope->second, inputs[input_index], 0, trace);
  // A possible value fixed in the file, or leaving the loader's directory, is reported whatever
  // else could not be followed.
  for (const auto& alt : v.alternatives)
    if (!alt.fed) return {CheckpointPathSource::constant, shown_text(alt.text)};
  for (const auto& alt : v.alternatives)
    if (has_parent_component(alt.text) && trace.climbing.empty()) trace.climbing = "<the loader's path>" + alt.text;
  if (!trace.climbing.empty()) return {CheckpointPathSource::climbing, shown_text(trace.climbing)};
  if (!trace.unresolved.empty()) return {CheckpointPathSource::unresolved, trace.unresolved};
  if (v.alternatives.empty()) return {CheckpointPathSource::unresolved, "the path input leads to no source"};
  return {CheckpointPathSource::fed, {}};
}

}  // namespace modelgate
