#pragma once
// What `pickle.load` does with the first bytes of a file, without running anything: whether it
// reaches STOP, and whether it imports a module on the way (find_class imports the module, which
// runs its code, before any error that follows).
#include "core/bytes.h"

namespace modelgate {

struct Artifact;
namespace pickle {
struct StreamResult;
}

struct PickleProbe {
  bool complete = false;         // the machine read the stream to STOP
  bool imports = false;          // a GLOBAL/STACK_GLOBAL/INST/EXT named an importable-looking path
  bool joblib_wrapper = false;   // one of those is a joblib array wrapper (joblib.load reads raw bytes after it)
};

// A probe with the bytes it is of: an Artifact is copied and its copy may be given other bytes
// (a decompressed view), which must not inherit the answer.
struct KnownPickleProbe {
  ByteView of;
  PickleProbe probe;
};

PickleProbe probe_pickle_at_start(ByteView bytes);
// The probe of an artifact's bytes, run once: identification, the consumer readings and the
// pickle scanner (which records what its own run from offset 0 found) share it.
const PickleProbe& probe_pickle_at_start(const Artifact& artifact);
// Records what a machine run from offset 0 of the artifact's bytes found, the probe's answer
// whenever no limit stopped the run.
void remember_pickle_probe(const Artifact& artifact, const pickle::StreamResult& run);

}  // namespace modelgate
