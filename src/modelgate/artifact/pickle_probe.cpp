#include "artifact/pickle_probe.h"

#include "pickle/allowlist.h"
#include "pickle/machine.h"
#include "pickle/opcodes.h"
#include "artifact/artifact.h"

namespace modelgate {

namespace {

// A dotted path of Python identifiers: the only names `find_class` can import.
bool is_identifier_path(std::string_view s) {
  if (s.empty()) return false;
  bool start = true;
  for (char c : s) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (c == '.') {
      if (start) return false;
      start = true;
    } else if (alpha || (digit && !start)) {
      start = false;
    } else {
      return false;
    }
  }
  return !start;
}

bool same_bytes(ByteView a, ByteView b) { return a.data() == b.data() && a.size() == b.size(); }

PickleProbe probe_of(const pickle::StreamResult& r) {
  PickleProbe p;
  p.complete = r.complete;
  for (const auto& i : r.imports) {
    if (!is_identifier_path(i.module) || !is_identifier_path(i.name)) continue;
    p.imports = true;
    std::string_view last = std::string_view(i.name).substr(i.name.rfind('.') + 1);
    if (last == "NumpyArrayWrapper" || last == "NDArrayWrapper") p.joblib_wrapper = true;
  }
  return p;
}

}  // namespace

PickleProbe probe_pickle_at_start(ByteView bytes) {
  if (bytes.empty() || pickle::op_name(bytes[0]) == nullptr) return {};
  static const Limits limits;
  static const auto allowlist = pickle::Allowlist::from_profiles({}, {});
  pickle::MachineOptions opts;
  opts.allowlist = &*allowlist;
  opts.limits = &limits;
  opts.analyse = false;
  return probe_of(pickle::run_machine(bytes, 0, "", opts));
}

const PickleProbe& probe_pickle_at_start(const Artifact& artifact) {
  auto& known = artifact.pickle_probe;
  if (!known || !same_bytes(known->of, artifact.bytes))
    known = KnownPickleProbe{artifact.bytes, probe_pickle_at_start(artifact.bytes)};
  return known->probe;
}

void remember_pickle_probe(const Artifact& artifact, const pickle::StreamResult& run) {
  if (run.start == 0 && !run.limit_reached) artifact.pickle_probe = KnownPickleProbe{artifact.bytes, probe_of(run)};
}

}  // namespace modelgate
