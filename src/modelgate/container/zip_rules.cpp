#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> zip_rules() {
  static const Rule rules[] = {
      {"MG-ZIP-MALFORMED", Severity::high, Status::refused,
       "The ZIP structure cannot be read completely.",
       "No end record, a truncated or inconsistent central directory, multi-disk archives. Loaders "
       "differ in what they make of such files, so nothing inside is trusted."},
      {"MG-ZIP-CORRUPT", Severity::high, Status::refused,
       "A member's compressed data is corrupt or does not produce the declared size.",
       "The member could not be decompressed exactly as declared, so its content is unknown."},
      {"MG-ZIP-NAME-MISMATCH", Severity::high, Status::refused,
       "A member's local header name differs from its central directory name.",
       "torch (miniz) looks members up by the central name and ignores the local one; Python's "
       "zipfile refuses the file; scanners that walk local headers see a different name. A classic "
       "way to hide data.pkl from a scanner."},
      {"MG-ZIP-HEADER-MISMATCH", Severity::medium, Status::refused,
       "Local header, central directory or data descriptor disagree on method, flags, sizes or CRC.",
       "Readers that trust different headers read different bytes. Legitimate writers keep them "
       "identical."},
      {"MG-ZIP-DUPLICATE-NAME", Severity::high, Status::refused,
       "Two members have the same name (or names that differ only in letter case).",
       "torch (miniz) finds one copy by a case-insensitive binary search over the sorted directory, "
       "Python's zipfile returns the last one, other tools the first. The finding says which copy "
       "each loader reads; both copies are scanned."},
      {"MG-ZIP-CRC-MISMATCH", Severity::high, Status::refused,
       "A member's CRC-32 does not match its content.",
       "torch.load does not check CRCs and loads the content; zipfile and unzip reject it. Scanners "
       "that give up on the CRC error never see the payload torch runs."},
      {"MG-ZIP-ENCRYPTED", Severity::high, Status::refused,
       "A member is encrypted (traditional, strong, or masked central directory).",
       "Encrypted content cannot be inspected."},
      {"MG-ZIP-FLAGS", Severity::medium, Status::refused,
       "A member sets unusual general-purpose flag bits (patched data, reserved bits).",
       "zipfile refuses compressed patched data, miniz ignores the bit; reserved bits have no "
       "defined meaning. The archive is ambiguous between readers."},
      {"MG-ZIP-METHOD", Severity::medium, Status::refused,
       "A member uses a compression method other than stored or deflate.",
       "torch reads only stored and deflated members; zipfile also reads bzip2 and LZMA. modelgate "
       "inspects stored and deflate only, so the member is not inspected."},
      {"MG-ZIP-DATA-DESCRIPTOR", Severity::info, Status::safe,
       "A member's sizes and CRC follow its data (flag bit 3).",
       "Normal for streaming writers. modelgate checks that the descriptor agrees with the "
       "central directory."},
      {"MG-ZIP-ZIP64", Severity::info, Status::safe, "The archive uses ZIP64 records.",
       "Normal for archives over 4 GiB or with many members. The ZIP64 values are used."},
      {"MG-ZIP-PREPENDED-DATA", Severity::medium, Status::unverified,
       "Bytes precede the first member.",
       "A file can be a valid ZIP and something else at once (a polyglot): which reader wins "
       "depends on the loader (torch.load checks the first bytes for a local header, zipfile finds "
       "the end record). The prefix is not inspected as part of the ZIP."},
      {"MG-ZIP-TRAILING-DATA", Severity::medium, Status::unverified,
       "Bytes follow the end-of-central-directory record and its comment.",
       "Every ZIP reader ignores them. They are a place to hide a second payload or a second "
       "archive."},
      {"MG-ZIP-MULTIPLE-EOCD", Severity::high, Status::refused,
       "More than one end-of-central-directory record is present.",
       "miniz and zipfile take the last one in the final 64 KiB; other tools take the first. Two "
       "readers can list two different archives from the same file."},
      {"MG-ZIP-OVERLAP", Severity::high, Status::refused,
       "Members overlap each other or the central directory.",
       "Overlapping members are the basis of quoted-overlap ZIP bombs and let one byte range be "
       "two files at once."},
      {"MG-ZIP-OUT-OF-BOUNDS", Severity::high, Status::refused,
       "A member's local header or data lies outside the file.",
       "The directory points at bytes that do not exist; loaders fail or read something else."},
      {"MG-ZIP-UNREFERENCED-DATA", Severity::medium, Status::unverified,
       "Bytes between members belong to no member.",
       "Data that no directory entry points at is invisible to directory-based readers but found "
       "by tools that walk local headers."},
      {"MG-ZIP-UNSAFE-PATH", Severity::high, Status::unsafe,
       "A member name is absolute, has '..' components, backslashes, a drive letter or NUL.",
       "Extracting the archive writes outside the target directory (zip-slip). No model writer "
       "produces such names."},
      {"MG-ZIP-STREAM-DIVERGENCE", Severity::high, Status::refused,
       "A reader that walks local headers from the start lists other entries than the central directory.",
       "libarchive's streaming ZIP reader (bsdtar on a pipe; Java's ZipInputStream is alike) never reads "
       "the central directory: it finds entries hidden between listed members, and it ends a stored "
       "entry with a data descriptor at the first matching 'PK\\7\\8', so a descriptor forged inside the "
       "data turns the rest of the member into entries of their own. What it extracts is not what "
       "torch, numpy and zipfile load, nor what was scanned."},
      {"MG-ZIP-SYMLINK", Severity::high, Status::unsafe,
       "A member is a symbolic link.",
       "Extracting it creates a link that can redirect later writes or reads outside the target "
       "directory. Model archives do not contain links."},
      {"MG-ZIP-BOMB", Severity::high, Status::refused,
       "A member's decompression ratio exceeds the limit.",
       "Ratios above the limit (1000:1 by default) are decompression bombs in practice. The member "
       "is not inflated."},
      {"MG-ZIP-LOADER-DIVERGENCE", Severity::high, Status::refused,
       "Python's zipfile and torch's miniz read this archive differently.",
       "For example, an unadjusted prefix makes zipfile shift every offset while miniz does not. "
       "Whatever one reader sees, the other may load something else."},
  };
  return rules;
}

}  // namespace modelgate
