#pragma once
// What `pickle.load` does with the first bytes of a file, without running anything: whether it
// reaches STOP, and whether it imports a module on the way (find_class imports the module, which
// runs its code, before any error that follows).
#include "core/bytes.h"

namespace modelgate {

struct PickleProbe {
  bool complete = false;         // the machine read the stream to STOP
  bool imports = false;          // a GLOBAL/STACK_GLOBAL/INST/EXT named an importable-looking path
  bool joblib_wrapper = false;   // one of those is a joblib array wrapper (joblib.load reads raw bytes after it)
};

PickleProbe probe_pickle_at_start(ByteView bytes);

}  // namespace modelgate
