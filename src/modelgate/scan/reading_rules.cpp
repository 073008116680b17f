#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> reading_rules() {
  static const Rule rules[] = {
      {"MG-FORMAT-POLYGLOT", Severity::high, Status::refused,
       "The file is valid under readings of different formats, and not every reading is proven safe.",
       "Loaders identify files in their own order: torch.load tries tarfile before pickle, pickle.load "
       "starts at byte 0 whatever magic follows, libhdf5 finds a superblock at any power of two, zipfile "
       "finds an archive by its end record. A file that two of them read as different formats is a "
       "polyglot; no model tool writes one. Every reading is analysed (children '#reading=...') and "
       "the file is refused unless all of them are safe. docs/containers.md lists the readings."},
      {"MG-FORMAT-POLYGLOT-SAFE-READINGS", Severity::medium, Status::unverified,
       "The file is valid under readings of different formats; every reading was analysed and is safe.",
       "A polyglot whose other readings contain nothing that runs or extracts outside the allowlist. "
       "No model tool writes such files: find out who made it before trusting it."},
  };
  return rules;
}

}  // namespace modelgate
