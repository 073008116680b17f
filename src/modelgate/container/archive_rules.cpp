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
       "Two readers of the tar or 7z archive see different members.",
       "Download and conversion scripts (and torch.load) unpack tars with Python's tarfile, 7z "
       "archives with py7zr or the 7z tool; modelgate extracts with libarchive and reads tarfile's "
       "view (tar) or the 7z headers by hand beside it. A different member list, type, size, order or "
       "content (a 7z member whose bytes do not have the header's CRC-32), or one reader failing where "
       "the other reads on, means the scanned tree is not the one that gets unpacked: the archive is "
       "refused."},
      {"MG-ARCHIVE-HEADER-AMBIGUOUS", Severity::high, Status::refused,
       "A tar or 7z header is read differently by different tools.",
       "Tar: numbers in forms only Python's int() accepts (0o prefixes, underscores, spaces), chained "
       "extended headers, PAX global records, or a header tarfile silently stops at: other readers "
       "see other members or sizes. 7z: a member stream without a CRC-32, so the bytes libarchive "
       "extracts cannot be proven to be those 7z and py7zr extract. The archive is refused."},
      {"MG-ARCHIVE-DUPLICATE", Severity::medium, Status::unverified,
       "Two tar or 7z members have the same name.",
       "tarfile's extractall and getmember keep the last copy, as 7z and py7zr do when they overwrite; "
       "tools that stop at the first keep the first. Every copy is scanned; the archive is not proven "
       "to unpack to what a reviewer saw."},
      {"MG-7Z-MALFORMED", Severity::high, Status::refused,
       "The 7z headers cannot be read exactly.",
       "modelgate reads 7z headers by hand (the reading of py7zr and the 7z tools) beside libarchive. "
       "A CRC-32 mismatch in the start or main header, a structure that ends early or leaves bytes "
       "unused, a construct readers resolve differently (a property given twice or unknown, external "
       "data, anti-items, missing names, unpaired UTF-16 surrogates, attributes contradicting the stream "
       "layout, overlapping streams) or an encoded header whose coder is not copy, LZMA or LZMA2 leaves "
       "the archive without a second reading: it is refused."},
      {"MG-7Z-UNREFERENCED-DATA", Severity::medium, Status::unverified,
       "A 7z archive has bytes that belong to no stream and no header.",
       "Bytes between the packed streams and the header, or after the header, are extracted by no 7z "
       "reader but can be a second file format (a polyglot). They are not part of any member scanned."},
      {"MG-ARCHIVE-BOMB", Severity::high, Status::refused,
       "The archive expands beyond the compression-ratio limit.",
       "Decompression stopped: the ratio of unpacked to packed bytes exceeded the limit."},
  };
  return rules;
}

}  // namespace modelgate
