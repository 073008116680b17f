#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> archive_rules() {
  static const Rule rules[] = {
      {"MG-ARCHIVE-UNREADABLE", Severity::high, Status::refused,
       "An archive or one of its members cannot be read completely.",
       "A member that libarchive cannot decompress or that is shorter than declared was not "
       "inspected (the nullifAI technique: a loader may still run what precedes the damage). The "
       "archive is refused."},
      {"MG-ARCHIVE-ENCRYPTED", Severity::high, Status::refused, "An archive member is encrypted.",
       "Encrypted content cannot be inspected."},
      {"MG-ARCHIVE-LINK", Severity::high, Status::unsafe,
       "An archive member is a symbolic or hard link.",
       "Extracting it creates a link that can point outside the extraction directory. Model "
       "archives do not need links."},
      {"MG-ARCHIVE-SPECIAL", Severity::medium, Status::refused,
       "An archive member is a device, FIFO or socket.", "Such members have no content to inspect."},
      {"MG-ARCHIVE-UNSAFE-PATH", Severity::high, Status::unsafe,
       "An archive member name is absolute or contains '..' or backslashes.",
       "Extracting the archive writes outside the target directory (path traversal)."},
      {"MG-ARCHIVE-READERS-DISAGREE", Severity::high, Status::refused,
       "Python's tarfile and libarchive read the tar differently.",
       "Download and conversion scripts (and torch.load) unpack tars with Python's tarfile; modelgate "
       "extracts with libarchive and walks tarfile's view beside it. A different member list, size, "
       "order or content, or one reader failing where the other reads on, means the scanned tree is "
       "not the one that gets unpacked: the archive is refused."},
      {"MG-ARCHIVE-HEADER-AMBIGUOUS", Severity::high, Status::refused,
       "A tar header is read differently by different tools.",
       "Numbers in forms only Python's int() accepts (0o prefixes, underscores, spaces), chained "
       "extended headers, PAX global records, or a header tarfile silently stops at: other readers "
       "see other members or sizes. The archive is refused."},
      {"MG-ARCHIVE-DUPLICATE", Severity::medium, Status::unverified,
       "Two tar members have the same name.",
       "tarfile's extractall and getmember keep the last copy, tools that stop at the first keep the "
       "first. Every copy is scanned; the archive is not proven to unpack to what a reviewer saw."},
      {"MG-ARCHIVE-BOMB", Severity::high, Status::refused,
       "The archive expands beyond the compression-ratio limit.",
       "Decompression stopped: the ratio of unpacked to packed bytes exceeded the limit."},
  };
  return rules;
}

}  // namespace modelgate
