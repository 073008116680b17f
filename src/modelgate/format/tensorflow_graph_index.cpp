#include "format/tensorflow_graph_index.h"

#include <optional>
#include <string_view>
#include <utility>

#include "protowire/wire.h"

namespace modelgate {

namespace {

constexpr unsigned kMaxFollowDepth = 32;
constexpr std::size_t kMaxFollowedNodes = 512;
constexpr std::size_t kMaxShownPath = 200;

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

// NodeDef.attr (field 5) entry `key`: AttrValue.
std::optional<ByteView> attr_value(ByteView node, std::string_view key) {
  std::optional<ByteView> found;
  for (ByteView entry : len_fields(node, 5)) {
    auto k = last_len_field(entry, 1);
    if (k && as_chars(*k) == key) found = last_len_field(entry, 2).value_or(ByteView());
  }
  return found;
}

// A Const's string value: AttrValue.tensor (field 8), TensorProto.string_val (field 8). Empty for
// other tensors (shard numbers and counts are integers).
std::string const_string(ByteView node) {
  auto value = attr_value(node, "value");
  if (!value || !protowire::is_flat_message(*value)) return {};
  auto tensor = last_len_field(*value, 8);
  if (!tensor || !protowire::is_flat_message(*tensor)) return {};
  auto strings = len_fields(*tensor, 8);
  if (strings.empty()) return {};
  std::string s(as_chars(strings.front()));
  if (strings.size() > 1) s += " (and " + std::to_string(strings.size() - 1) + " more)";
  return s;
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

bool is_one_of(std::string_view op, std::initializer_list<std::string_view> ops) {
  for (auto o : ops)
    if (o == op) return true;
  return false;
}

// Ops whose output is made of all their data inputs (string building, identities, packing).
bool joins_inputs(std::string_view op) {
  return is_one_of(op, {"Identity", "IdentityN", "Snapshot", "StopGradient", "StringJoin", "ShardedFilename",
                        "ShardedFilespec", "Add", "AddV2", "Pack", "ConcatV2", "Concat", "StringFormat",
                        "RegexReplace", "StaticRegexReplace", "Enter", "Exit", "Reshape", "ExpandDims", "Squeeze",
                        "PlaceholderWithDefault", "EnsureShape", "CheckNumerics"});
}

// Ops whose output is one of their inputs: the path is constant when any choice is.
bool chooses_input(std::string_view op) { return is_one_of(op, {"Select", "SelectV2", "Merge", "Switch"}); }

}  // namespace

std::vector<std::string> node_data_inputs(const protowire::NodeDefLike& node) {
  std::vector<std::string> out;
  for (ByteView in : len_fields(node.message, 3))
    if (!in.empty() && in[0] != '^') out.emplace_back(as_chars(in));
  return out;
}

struct TensorflowGraphIndex::Eval {
  bool constant = false;
  bool fed = false;
  bool unresolved = false;
  std::string path;
  std::string unresolved_what;
  std::string climbing;  // a constant part with a ".." component, or a fed default outside the directory
  std::size_t followed = 0;
  std::set<const protowire::NodeDefLike*> on_path;
};

TensorflowGraphIndex::TensorflowGraphIndex(const std::vector<protowire::NodeDefLike>& nodes,
                                           std::set<std::string> fed_tensors)
    : fed_tensors_(std::move(fed_tensors)) {
  for (const auto& node : nodes) {
    if (!in_graph(node)) continue;
    auto [it, fresh] = scopes_.try_emplace(node.container_offset);
    Scope& scope = it->second;
    scope.nodes.emplace(node.name, &node);
    if (!fresh) continue;
    if (node.field == 3) {
      if (auto name = function_name(node.container)) functions_.insert(*name);
      for (ByteView signature : len_fields(node.container, 1)) {
        if (!protowire::is_flat_message(signature)) continue;
        for (ByteView arg : len_fields(signature, 2))
          if (protowire::is_flat_message(arg))
            if (auto n = last_len_field(arg, 1)) scope.arguments.emplace(as_chars(*n));
      }
    } else {
      // GraphDef.library (field 2), FunctionDefLibrary.function (field 1): functions defined with
      // or without a body.
      for (ByteView library : len_fields(node.container, 2)) {
        if (!protowire::is_flat_message(library)) continue;
        for (ByteView function : len_fields(library, 1))
          if (protowire::is_flat_message(function))
            if (auto name = function_name(function)) functions_.insert(*name);
      }
    }
  }
}

void TensorflowGraphIndex::follow(const Scope& scope, const std::string& input, unsigned depth, Eval& out) const {
  std::string name = input.substr(0, input.find(':'));
  if (scope.arguments.count(name)) {
    out.fed = true;
    return;
  }
  auto it = scope.nodes.find(name);
  if (it == scope.nodes.end() || depth > kMaxFollowDepth || ++out.followed > kMaxFollowedNodes) {
    out.unresolved = true;
    if (out.unresolved_what.empty())
      out.unresolved_what = it == scope.nodes.end() ? "input '" + shown_text(input) + "' names no node of its graph"
                                                    : "input chain longer than the scanner follows";
    return;
  }
  const protowire::NodeDefLike& node = *it->second;
  if (out.on_path.count(&node)) return;  // a loop adds no new source
  const std::string& op = node.op;
  if (op == "Placeholder" || op == "_Arg") {
    out.fed = true;
    return;
  }
  if (op == "PlaceholderWithDefault" && node.field == 1 && fed_tensors_.count(node.name)) {
    // Fed when the loader restores variables, but an init op that reaches it runs with the
    // default: a default outside the working directory is where that one writes.
    out.fed = true;
    auto inputs = node_data_inputs(node);
    if (inputs.empty()) return;
    Eval fallback;
    fallback.followed = out.followed;
    fallback.on_path = out.on_path;
    fallback.on_path.insert(&node);
    follow(scope, inputs[0], depth + 1, fallback);
    out.followed = fallback.followed;
    if (fallback.constant && !fallback.fed && !fallback.unresolved && leaves_working_directory(fallback.path) &&
        out.climbing.empty())
      out.climbing = fallback.path;
    return;
  }
  if (op == "Const") {
    out.constant = true;
    std::string value = const_string(node.message);
    if (out.climbing.empty() && has_parent_component(value)) out.climbing = value;
    out.path += value;
    return;
  }
  auto inputs = node_data_inputs(node);
  out.on_path.insert(&node);
  if (joins_inputs(op)) {
    for (const auto& in : inputs) follow(scope, in, depth + 1, out);
  } else if (chooses_input(op)) {
    // Select's first input and Switch's second are the condition, not a choice.
    std::size_t first = op == "Select" || op == "SelectV2" ? 1 : 0;
    std::size_t last = op == "Switch" ? 1 : inputs.size();
    bool any_constant = false, fed = false, unresolved = false;
    std::string what;
    for (std::size_t i = first; i < last && i < inputs.size(); ++i) {
      Eval choice;
      choice.followed = out.followed;
      choice.on_path = out.on_path;
      follow(scope, inputs[i], depth + 1, choice);
      out.followed = choice.followed;
      if (out.climbing.empty()) out.climbing = choice.climbing;
      if (choice.constant && !choice.fed && !choice.unresolved) {
        any_constant = true;
        out.path += choice.path;
        break;
      }
      fed |= choice.fed;
      unresolved |= choice.unresolved;
      if (what.empty()) what = choice.unresolved_what;
    }
    if (any_constant) {
      out.constant = true;
    } else {
      out.fed |= fed;
      out.unresolved |= unresolved;
      if (out.unresolved_what.empty()) out.unresolved_what = what;
    }
  } else {
    out.unresolved = true;
    if (out.unresolved_what.empty()) out.unresolved_what = "node '" + shown_text(node.name) + "' (op " + op + ")";
  }
  out.on_path.erase(&node);
}

CheckpointPath TensorflowGraphIndex::checkpoint_path(const protowire::NodeDefLike& node,
                                                     std::size_t input_index) const {
  auto scope = scopes_.find(node.container_offset);
  auto inputs = node_data_inputs(node);
  if (scope == scopes_.end() || input_index >= inputs.size())
    return {CheckpointPathSource::unresolved, "the path input is missing"};
  Eval e;
  follow(scope->second, inputs[input_index], 0, e);
  if (e.unresolved) return {CheckpointPathSource::unresolved, e.unresolved_what};
  if (e.fed && !e.climbing.empty()) return {CheckpointPathSource::climbing, shown_text(e.climbing)};
  if (e.fed) return {CheckpointPathSource::fed, {}};
  if (e.constant) return {CheckpointPathSource::constant, shown_text(e.path)};
  return {CheckpointPathSource::unresolved, "the path input leads to no source"};
}

}  // namespace modelgate
