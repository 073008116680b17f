// libFuzzer target: the pickle machine in both retention modes, checked against the reference run
// without the plain path, then the whole scan engine.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "modelgate/scan.h"
#include "pickle/machine.h"
#include "support/machine_reference.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const modelgate::Limits limits = [] {
    modelgate::Limits l;
    l.max_pickle_stack = 1 << 16;
    l.max_pickle_memo = 1 << 16;
    l.max_pickle_nodes = 1 << 16;
    return l;
  }();
  static const auto allowlist = modelgate::pickle::Allowlist::from_profiles({"torch", "python-data", "numpy"}, {});
  modelgate::pickle::MachineOptions o;
  o.allowlist = &*allowlist;
  o.limits = &limits;
  modelgate::ByteView view(data, size);
  for (bool retain : {false, true}) {
    o.retain_data = retain;
    auto r = modelgate::pickle::run_machine(view, 0, "fuzz", o);
    if (r.complete) (void)r.graph->describe(r.root);
    if (!retain) {
      std::string d = modelgate::pickle::result_difference(r, modelgate::pickle::run_machine_reference(view, 0, "fuzz", o));
      if (!d.empty()) {
        std::fprintf(stderr, "plain path differs from the reference: %s\n", d.c_str());
        std::abort();
      }
    }
  }
  modelgate::ScanOptions opts;
  opts.limits = limits;
  (void)modelgate::scan_bytes("fuzz", data, size, opts);
  return 0;
}
