// ONNX models: a wire-level pre-pass bounds graph, node and tensor counts and subgraph nesting
// before libprotobuf allocates anything, then the ModelProto is parsed with the official schema
// (Debian's libonnx-dev) and every graph, subgraph and local function is analysed.
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx_pb.h>

#include "core/rule_catalog.h"
#include "protowire/wire.h"
#include "format/scanners.h"
#include "format/onnx_external_data.h"

namespace modelgate {

namespace {

using protowire::Field;
using protowire::MessageReader;
using protowire::WireType;

// Domains whose operators are built into ONNX runtimes: the ONNX standard domains and
// onnxruntime's compiled-in contrib domains. Everything else needs a custom-op library.
constexpr std::string_view kStandardDomains[] = {
    "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training",
    "com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental", "com.ms.internal.nhwc",
};

// Operators that call into Python (onnxruntime's PyOp and the names used by other bridges),
// recognised in any domain because onnxruntime registers PyOp under the node's own domain.
constexpr std::string_view kPythonOps[] = {"PyOp", "PythonOp", "PyFunc", "PythonFunction", "PyCustomOp",
                                           "PyTorchOp"};

struct Counts {
  std::uint64_t graphs = 0, nodes = 0, tensors = 0;
  unsigned max_depth = 0;
};

// The pre-pass: walks only the fields that lead to graphs, nodes and tensors.
class Prepass {
 public:
  Prepass(const Limits& limits) : limits_(limits) {}
  Counts counts;
  std::optional<Error> error;
  std::string limit;  // set when a limit was exceeded

  bool model(ByteView bytes) {
    MessageReader r = reader(bytes, 0);
    Field f;
    while (r.next(f)) {
      if (f.type != WireType::len) continue;
      std::size_t at = r.absolute(f.bytes);
      if (f.number == 7 && !graph(f.bytes, at, 1)) return false;
      if (f.number == 25 && !function(f.bytes, at, 1)) return false;
      if (f.number == 20 && !training_info(f.bytes, at, 1)) return false;
    }
    return check(r);
  }

 private:
  MessageReader reader(ByteView bytes, std::size_t base) const {
    MessageReader r(bytes, base);
    r.limit_group_depth(limits_.max_protobuf_group_depth);
    return r;
  }
  bool check(const MessageReader& r) {
    if (r.error()) error = r.error();
    return !r.error();
  }
  bool over(std::string what) {
    limit = std::move(what);
    return false;
  }
  bool graph(ByteView bytes, std::size_t base, unsigned depth) {
    if (depth > limits_.max_onnx_graph_depth)
      return over("subgraphs nested deeper than max_onnx_graph_depth (" + std::to_string(limits_.max_onnx_graph_depth) + " levels)");
    counts.max_depth = std::max(counts.max_depth, depth);
    if (++counts.graphs > limits_.max_onnx_graphs)
      return over("more than max_onnx_graphs (" + std::to_string(limits_.max_onnx_graphs) + ") graphs");
    MessageReader r = reader(bytes, base);
    Field f;
    while (r.next(f)) {
      if (f.type != WireType::len) continue;
      if (f.number == 1 && !node(f.bytes, r.absolute(f.bytes), depth)) return false;
      if ((f.number == 5 || f.number == 15) && !tensor()) return false;
    }
    return check(r);
  }
  bool tensor() {
    if (++counts.tensors > limits_.max_onnx_tensors)
      return over("more than max_onnx_tensors (" + std::to_string(limits_.max_onnx_tensors) + ") tensors");
    return true;
  }
  bool node(ByteView bytes, std::size_t base, unsigned depth) {
    if (++counts.nodes > limits_.max_onnx_nodes)
      return over("more than max_onnx_nodes (" + std::to_string(limits_.max_onnx_nodes) + ") nodes");
    MessageReader r = reader(bytes, base);
    Field f;
    while (r.next(f)) {
      if (f.number != 5 || f.type != WireType::len) continue;
      MessageReader a = reader(f.bytes, r.absolute(f.bytes));
      Field g;
      while (a.next(g)) {
        if (g.type != WireType::len) continue;
        if ((g.number == 5 || g.number == 10 || g.number == 22 || g.number == 23) && !tensor()) return false;
        if ((g.number == 6 || g.number == 11) && !graph(g.bytes, a.absolute(g.bytes), depth + 1)) return false;
      }
      if (!check(a)) return false;
    }
    return check(r);
  }
  bool function(ByteView bytes, std::size_t base, unsigned depth) {
    MessageReader r = reader(bytes, base);
    Field f;
    while (r.next(f))
      if (f.number == 7 && f.type == WireType::len && !node(f.bytes, r.absolute(f.bytes), depth)) return false;
    return check(r);
  }
  bool training_info(ByteView bytes, std::size_t base, unsigned depth) {
    MessageReader r = reader(bytes, base);
    Field f;
    while (r.next(f))
      if ((f.number == 1 || f.number == 2) && f.type == WireType::len && !graph(f.bytes, r.absolute(f.bytes), depth))
        return false;
    return check(r);
  }
  const Limits& limits_;
};

bool is_standard_domain(const std::string& d) {
  for (auto s : kStandardDomains)
    if (d == s) return true;
  return false;
}

bool is_python_node(const onnx::NodeProto& n) {
  for (auto p : kPythonOps)
    if (n.op_type() == p) return true;
  // onnxruntime's PyOp is configured by string attributes naming a module and a class/function.
  bool module = false, callable = false;
  for (const auto& a : n.attribute()) {
    module |= a.name() == "module";
    callable |= a.name() == "class_name" || a.name() == "compute" || a.name() == "function";
  }
  return module && callable;
}

bool path_has_dotdot(std::string_view loc) {
  std::size_t start = 0;
  while (start <= loc.size()) {
    std::size_t end = loc.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = loc.size();
    if (loc.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

bool is_absolute_location(std::string_view loc) {
  return loc.starts_with('/') || loc.starts_with('\\') || loc.starts_with('~') ||
         (loc.size() >= 2 && loc[1] == ':');
}

// Element types named as safetensors names them, so that one BOM reads the same across formats;
// types safetensors has no name for keep ONNX's.
std::string onnx_dtype_name(int elem_type) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT: return "F32";
    case onnx::TensorProto::DOUBLE: return "F64";
    case onnx::TensorProto::FLOAT16: return "F16";
    case onnx::TensorProto::BFLOAT16: return "BF16";
    case onnx::TensorProto::INT8: return "I8";
    case onnx::TensorProto::INT16: return "I16";
    case onnx::TensorProto::INT32: return "I32";
    case onnx::TensorProto::INT64: return "I64";
    case onnx::TensorProto::UINT8: return "U8";
    case onnx::TensorProto::UINT16: return "U16";
    case onnx::TensorProto::UINT32: return "U32";
    case onnx::TensorProto::UINT64: return "U64";
    case onnx::TensorProto::BOOL: return "BOOL";
    case onnx::TensorProto::COMPLEX64: return "C64";
    case onnx::TensorProto::COMPLEX128: return "C128";
    default: {
      const auto* d = onnx::TensorProto_DataType_descriptor()->FindValueByNumber(elem_type);
      return d ? d->name() : "type " + std::to_string(elem_type);
    }
  }
}

// Elements of a tensor by its dims; nullopt for a negative dim, saturated on overflow.
std::optional<std::uint64_t> element_count(const google::protobuf::RepeatedField<std::int64_t>& dims) {
  std::uint64_t n = 1;
  for (auto d : dims) {
    if (d < 0) return std::nullopt;
    auto u = static_cast<std::uint64_t>(d);
    n = (u != 0 && n > UINT64_MAX / u) ? UINT64_MAX : n * u;
  }
  return n;
}

// "name: F32[batch,3,224,224]"; a dimension without value or name is "?".
std::string value_info_text(const onnx::ValueInfoProto& v) {
  std::string out = v.name() + ": ";
  const auto& type = v.type();
  if (!type.has_tensor_type()) {
    if (type.has_sequence_type()) return out + "sequence";
    if (type.has_map_type()) return out + "map";
    if (type.has_optional_type()) return out + "optional";
    if (type.has_sparse_tensor_type()) return out + "sparse tensor";
    return out + "unknown";
  }
  out += onnx_dtype_name(type.tensor_type().elem_type());
  if (!type.tensor_type().has_shape()) return out;
  out += "[";
  bool first = true;
  for (const auto& d : type.tensor_type().shape().dim()) {
    if (!first) out += ",";
    first = false;
    if (d.has_dim_value()) out += std::to_string(d.dim_value());
    else if (d.has_dim_param() && !d.dim_param().empty()) out += d.dim_param();
    else out += "?";
  }
  return out + "]";
}

// The main graph's weights (initializers, counted by their dims) and its declared inputs and
// outputs (graph inputs that are initializers are weights, not inputs). Lists stop at `max_listed`.
void add_graph_facts(const onnx::GraphProto& g, std::uint64_t max_listed, ModelFacts& facts) {
  std::set<std::string> weights;
  std::uint64_t parameters = 0;
  auto count = [&](const onnx::TensorProto& t) {
    ++facts.dtypes[onnx_dtype_name(t.data_type())];
    auto n = element_count(t.dims());
    if (n) parameters = *n > UINT64_MAX - parameters ? UINT64_MAX : parameters + *n;
  };
  for (const auto& t : g.initializer()) {
    weights.insert(t.name());
    count(t);
  }
  for (const auto& s : g.sparse_initializer()) {
    weights.insert(s.values().name());
    count(s.values());
  }
  facts.parameters = parameters;
  for (const auto& in : g.input())
    if (!weights.count(in.name()) && facts.inputs.size() < max_listed) facts.inputs.push_back(value_info_text(in));
  for (const auto& out : g.output())
    if (facts.outputs.size() < max_listed) facts.outputs.push_back(value_info_text(out));
}

class OnnxAnalyser {
 public:
  OnnxAnalyser(const Artifact& a, std::uint64_t max_listed_op_types, ArtifactReport& report)
      : a_(a), max_listed_op_types_(max_listed_op_types), report_(report) {}

  void run(const onnx::ModelProto& m) {
    for (const auto& f : m.functions()) local_functions_.insert({f.domain(), f.name()});
    std::vector<std::pair<const onnx::GraphProto*, std::string>> graphs;
    if (m.has_graph()) graphs.push_back({&m.graph(), "graph"});
    for (const auto& t : m.training_info()) {
      if (t.has_initialization()) graphs.push_back({&t.initialization(), "training_info.initialization"});
      if (t.has_algorithm()) graphs.push_back({&t.algorithm(), "training_info.algorithm"});
    }
    for (const auto& f : m.functions())
      for (const auto& n : f.node()) node(n, "function " + f.domain() + ":" + f.name(), graphs);
    // Subgraphs are appended as nodes are visited; depth is bounded by the pre-pass.
    for (std::size_t i = 0; i < graphs.size(); ++i) {
      auto [g, where] = graphs[i];  // a copy: visiting appends to `graphs`
      graph(*g, where, graphs);
    }
  }

  std::map<std::string, std::uint64_t> op_types;
  std::set<std::string> external_files;
  std::set<std::string> custom_domains;

 private:
  using GraphList = std::vector<std::pair<const onnx::GraphProto*, std::string>>;

  void add(RuleId id, std::string message, std::string evidence) {
    report_.add(make_finding(rule(id), a_.origin, std::nullopt, std::move(message), std::move(evidence)));
  }

  void graph(const onnx::GraphProto& g, const std::string& where, GraphList& graphs) {
    for (const auto& t : g.initializer()) tensor(t, where + " initializer");
    for (const auto& s : g.sparse_initializer()) {
      tensor(s.values(), where + " sparse initializer");
      tensor(s.indices(), where + " sparse initializer");
    }
    for (const auto& n : g.node()) node(n, where, graphs);
  }

  void node(const onnx::NodeProto& n, const std::string& where, GraphList& graphs) {
    std::string qualified = (n.domain().empty() ? "" : n.domain() + ":") + n.op_type();
    if (op_types.size() < max_listed_op_types_ || op_types.count(qualified)) ++op_types[qualified];
    std::string label = "node '" + n.name() + "' (" + qualified + ") in " + where;
    if (is_python_node(n)) {
      std::string detail;
      for (const auto& at : n.attribute())
        if (at.has_s() && (at.name() == "module" || at.name() == "class_name" || at.name() == "compute" || at.name() == "function"))
          detail += " " + at.name() + "=" + at.s().substr(0, 120);
      add("MG-ONNX-PYTHON-OP", label + " runs Python code", qualified + detail);
    } else if (!is_standard_domain(n.domain()) && !local_functions_.count({n.domain(), n.op_type()})) {
      custom_domains.insert(n.domain());
      add("MG-ONNX-CUSTOM-DOMAIN", label + " needs a custom operator library for domain '" + n.domain() + "'",
          qualified);
    }
    for (const auto& at : n.attribute()) {
      std::string in = where + "/" + n.name() + "." + at.name();
      if (at.has_t()) tensor(at.t(), in);
      for (const auto& t : at.tensors()) tensor(t, in);
      if (at.has_sparse_tensor()) {
        tensor(at.sparse_tensor().values(), in);
        tensor(at.sparse_tensor().indices(), in);
      }
      for (const auto& s : at.sparse_tensors()) {
        tensor(s.values(), in);
        tensor(s.indices(), in);
      }
      if (at.has_g()) graphs.push_back({&at.g(), in});
      for (const auto& g : at.graphs()) graphs.push_back({&g, in});
    }
  }

  void tensor(const onnx::TensorProto& t, const std::string& where) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL && t.external_data_size() == 0) return;
    std::string location, offset_text, length_text;
    for (const auto& kv : t.external_data()) {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset_text = kv.value();
      else if (kv.key() == "length") length_text = kv.value();
    }
    std::string label = "tensor '" + t.name() + "' in " + where;
    if (location.empty()) {
      add("MG-ONNX-EXTERNAL-DATA-MISSING", label + " is stored externally but has no location", t.name());
      return;
    }
    if (location.find('\0') != std::string::npos || is_absolute_location(location) || path_has_dotdot(location)) {
      add("MG-ONNX-EXTERNAL-DATA-ESCAPE", label + " reads external data from '" + location +
                                             "', outside the model directory", location);
      return;
    }
    external_files.insert(location);
    std::uint64_t offset = 0, length = 0;
    bool has_length = !length_text.empty();
    if (!parse_u64(offset_text, offset) || !parse_u64(length_text, length)) {
      add("MG-ONNX-EXTERNAL-DATA-MISSING", label + " has a malformed external data offset or length",
          "offset=" + offset_text + " length=" + length_text);
      return;
    }
    if (a_.depth > 0) {
      add("MG-ONNX-EXTERNAL-DATA-MISSING", external_data_unresolvable(label, location), location);
      return;
    }
    // A file on disk (or bytes given as one): the file that holds the bytes is looked up by whoever
    // opened the model, with the model's path (resolve_external_data_reads); a parse worker cannot.
    report_.parsed.external_data_reads.push_back(
        {label, location, offset, has_length ? std::optional<std::uint64_t>(length) : std::nullopt});
  }

  static bool parse_u64(const std::string& s, std::uint64_t& out) {
    out = 0;
    if (s.empty()) return true;
    for (char c : s) {
      if (c < '0' || c > '9' || out > (UINT64_MAX - 9) / 10) return false;
      out = out * 10 + static_cast<unsigned>(c - '0');
    }
    return true;
  }

  const Artifact& a_;
  std::uint64_t max_listed_op_types_;
  ArtifactReport& report_;
  std::set<std::pair<std::string, std::string>> local_functions_;
};

}  // namespace

void scan_onnx_model(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  const Limits& limits = ctx.limits();
  if (a.bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, std::nullopt,
                            "ONNX protobuf of " + std::to_string(a.bytes.size()) +
                                " bytes is over protobuf's 2 GiB limit; runtimes cannot load it either"));
    return;
  }
  Prepass pre(limits);
  if (!pre.model(a.bytes)) {
    if (pre.error)
      report.add(make_finding(rule("MG-ONNX-MALFORMED"), a.origin, pre.error->offset,
                              "protobuf wire format error: " + pre.error->reason));
    else
      report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, std::nullopt, "ONNX model has " + pre.limit));
    return;
  }
  onnx::ModelProto model;
  google::protobuf::io::CodedInputStream in(a.bytes.data(), static_cast<int>(a.bytes.size()));
  in.SetRecursionLimit(static_cast<int>(limits.max_onnx_graph_depth) * 4 + 16);
  if (!model.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) {
    report.add(make_finding(rule("MG-ONNX-MALFORMED"), a.origin, std::nullopt,
                            "libprotobuf cannot parse the ModelProto (bad field types, invalid enum or "
                            "nesting over the limit)"));
    return;
  }
  if (!model.has_graph()) {
    report.add(make_finding(rule("MG-ONNX-MALFORMED"), a.origin, std::nullopt, "the model has no graph"));
    return;
  }
  OnnxAnalyser an(a, limits.max_listed_op_types, report);
  an.run(model);
  add_graph_facts(model.graph(), limits.max_listed_op_types, report.model);
  OnnxDetails& details = report.details.onnx.emplace();
  details.ir_version = model.ir_version();
  details.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
  for (const auto& o : model.opset_import()) details.opset_import[o.domain().empty() ? "ai.onnx" : o.domain()] = o.version();
  details.graphs = pre.counts.graphs;
  details.nodes = pre.counts.nodes;
  details.tensors = pre.counts.tensors;
  details.op_types = an.op_types;
  report.parsed.external_data_files.assign(an.external_files.begin(), an.external_files.end());
  if (!an.custom_domains.empty()) details.custom_domains.emplace(an.custom_domains.begin(), an.custom_domains.end());
}

}  // namespace modelgate
