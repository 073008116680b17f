#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> walk_rules() {
  static const Rule rules[] = {
      {"MG-WALK-SPECIAL-FILE", Severity::medium, Status::refused,
       "A directory entry is a device, FIFO or socket.",
       "Model directories hold regular files. Special files are never opened (reading a FIFO can "
       "block, a device can be endless); the directory is refused until they are removed."},
      {"MG-WALK-SYMLINK-ESCAPE", Severity::high, Status::unsafe,
       "A symbolic link points outside the scanned directory.",
       "A loader that follows this link reads a file the scan never saw, for example a credential "
       "or a different model. modelgate does not follow it; remove the link or copy the target "
       "into the directory."},
  };
  return rules;
}

}  // namespace modelgate
