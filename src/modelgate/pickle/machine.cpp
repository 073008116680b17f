#include "pickle/machine.h"

namespace modelgate::pickle {

StreamResult run_machine(ByteView data, std::size_t start, std::string_view origin,
                         const MachineOptions& options) {
  (void)options;
  (void)origin;
  StreamResult r;
  r.start = start;
  r.end = start;
  r.graph = std::make_shared<ValueGraph>(data);
  r.error = parse_error(start, "not implemented");
  return r;
}

}  // namespace modelgate::pickle
