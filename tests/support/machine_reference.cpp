// Test oracle, not shipped in the library: the exact per-opcode run and a field-by-field
// comparison of two machine results, for the plain path's differential tests.
#include "support/machine_reference.h"

namespace modelgate::pickle {

StreamResult run_machine_reference(ByteView data, std::size_t start, std::string_view origin,
                                   const MachineOptions& options) {
  MachineOptions exact = options;
  exact.plain_path = false;
  return run_machine(data, start, origin, exact);
}

std::string result_difference(const StreamResult& a, const StreamResult& b) {
  auto num = [](std::uint64_t x, std::uint64_t y, const char* what) {
    return x == y ? std::string() : std::string(what) + ": " + std::to_string(x) + " vs " + std::to_string(y);
  };
  for (const std::string& d : {num(a.start, b.start, "start"), num(a.end, b.end, "end"),
                               num(a.complete, b.complete, "complete"), num(a.error.has_value(), b.error.has_value(), "error"),
                               num(static_cast<std::uint64_t>(a.protocol), static_cast<std::uint64_t>(b.protocol), "protocol"),
                               num(a.opcodes, b.opcodes, "opcodes"), num(a.findings.size(), b.findings.size(), "findings"),
                               num(a.imports.size(), b.imports.size(), "imports"),
                               num(a.calls.size(), b.calls.size(), "callables called"),
                               num(a.indirect_calls, b.indirect_calls, "indirect calls"),
                               num(a.persistent_ids.size(), b.persistent_ids.size(), "persistent ids"),
                               num(a.nested.size(), b.nested.size(), "nested payloads"),
                               num(a.graph->node_count(), b.graph->node_count(), "nodes")})
    if (!d.empty()) return d;
  if (a.error && (a.error->offset != b.error->offset || a.error->reason != b.error->reason))
    return "error: " + a.error->reason + " vs " + b.error->reason;
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    const Finding &x = a.findings[i], &y = b.findings[i];
    if (x.rule != y.rule || x.severity != y.severity || x.status != y.status || x.offset != y.offset ||
        x.message != y.message || x.evidence != y.evidence)
      return "finding " + std::to_string(i) + ": " + x.rule + " " + x.message + " vs " + y.rule + " " + y.message;
  }
  for (std::size_t i = 0; i < a.imports.size(); ++i) {
    const ImportRecord &x = a.imports[i], &y = b.imports[i];
    if (x.module != y.module || x.name != y.name || x.offset != y.offset || std::string_view(x.via) != y.via)
      return "import " + std::to_string(i) + ": " + x.module + "." + x.name + " vs " + y.module + "." + y.name;
  }
  for (std::size_t i = 0; i < a.calls.size(); ++i)
    if (a.calls[i] != b.calls[i])
      return "calls of " + a.calls[i].first + " (" + std::to_string(a.calls[i].second) + ") vs " + b.calls[i].first +
             " (" + std::to_string(b.calls[i].second) + ")";
  for (std::size_t i = 0; i < a.persistent_ids.size(); ++i)
    if (a.graph->describe(a.persistent_ids[i]) != b.graph->describe(b.persistent_ids[i]))
      return "persistent id " + std::to_string(i);
  for (std::size_t i = 0; i < a.nested.size(); ++i)
    if (a.nested[i].offset != b.nested[i].offset || a.nested[i].via != b.nested[i].via ||
        a.nested[i].bytes->bytes().size() != b.nested[i].bytes->bytes().size())
      return "nested payload " + std::to_string(i);
  std::string ra = a.graph->describe(a.root, 4000), rb = b.graph->describe(b.root, 4000);
  if (ra != rb) return "root: " + ra + " vs " + rb;
  if (a.root.kind != b.root.kind || a.root.flags != b.root.flags || a.root.len != b.root.len || a.root.u != b.root.u)
    return "root value";
  return {};
}

}  // namespace modelgate::pickle
