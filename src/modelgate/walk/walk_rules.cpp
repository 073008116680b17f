#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> walk_rules() {
  static const Rule rules[] = {
      {"MG-HF-CACHE-NOT-LINK", Severity::info, Status::safe,
       "A snapshot entry of the Hugging Face cache is a file, not a link into blobs/.",
       "The hub client links snapshot files to content-addressed blobs; where links are unavailable it "
       "stores copies. The copy is scanned as it is; it is just not tied to a blob by its hash."},
      {"MG-HF-CACHE-STRAY", Severity::low, Status::unverified,
       "A file in the Hugging Face cache belongs to no snapshot.",
       "Blobs no snapshot links to, and files outside the layout the hub client writes, are not what a "
       "loader reads through a repository revision, but they are in the cache and could be loaded by "
       "path. They are scanned and reported rather than skipped; remove them (for example with "
       "`huggingface-cli delete-cache`) to clear this."},
      {"MG-WALK-SPECIAL-FILE", Severity::medium, Status::refused,
       "A directory entry is a device, FIFO or socket.",
       "Model directories hold regular files. Special files are never opened (reading a FIFO can "
       "block, a device can be endless); the directory is refused until they are removed."},
      {"MG-WALK-DIRECTORY-LINK", Severity::info, Status::safe,
       "A symbolic link points to a directory inside the scanned directory.",
       "The walk does not descend into linked directories (that is how loops and double counting "
       "are avoided); the files they lead to are inside the scanned directory and are scanned there."},
      {"MG-WALK-SYMLINK-LOOP", Severity::medium, Status::refused,
       "A symbolic link forms a loop.",
       "The link resolves to itself through other links, or to a directory that contains it, so a "
       "loader that follows links never finishes. It is not followed; the directory is refused until "
       "the link is removed."},
      {"MG-WALK-SYMLINK-ESCAPE", Severity::high, Status::unsafe,
       "A symbolic link points outside the scanned directory.",
       "A loader that follows this link reads a file the scan never saw, for example a credential "
       "or a different model. modelgate does not follow it; remove the link or copy the target "
       "into the directory."},
  };
  return rules;
}

}  // namespace modelgate
