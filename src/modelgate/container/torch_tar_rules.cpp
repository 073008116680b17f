#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> torch_tar_rules() {
  static const Rule rules[] = {
      {"MG-TORCH-TAR-MALFORMED", Severity::high, Status::refused,
       "A pre-1.0 tar checkpoint does not have the layout torch.load's legacy_load reads.",
       "The tar checkpoint holds `storages` (a count, then per storage a pickled (key, location, "
       "type), an 8-byte element count and the bytes, then a pickled list of views), `tensors` (a "
       "count, then per tensor a pickled (key, storage, type) and its packed sizes, strides and "
       "offset) and `pickle`. A record that breaks this layout, a missing member or a tar that "
       "Python's tarfile cannot read stops the walk; when tarfile raises, torch.load re-reads the "
       "whole file as a pickle stream."},
      {"MG-TORCH-TAR-MEMBER-TYPE", Severity::high, Status::refused,
       "A member torch reads from a tar checkpoint is not a plain regular file.",
       "Directories, devices, sparse members, contiguous ('7') and unknown member types are read "
       "differently by Python's tarfile (which treats unknown types as regular files) and by other "
       "tar readers; modelgate does not guess which content torch sees."},
      {"MG-TORCH-TAR-HEADER-AMBIGUOUS", Severity::high, Status::refused,
       "A tar header construct that tar readers interpret differently.",
       "Python's tarfile accepts numbers in any form int() parses, takes names and sizes from PAX "
       "records and GNU long-name blocks, and stops silently at a bad header after the first. "
       "Readers that do not do the same see other members or other sizes than torch does."},
      {"MG-TORCH-TAR-DUPLICATE", Severity::high, Status::refused,
       "A tar checkpoint holds two members (or two storage records) with the same name.",
       "tarfile.getmember, which torch.load uses, returns the last copy; scanners that stop at the "
       "first copy see other content. Every copy is scanned."},
      {"MG-TORCH-TAR-READERS-DISAGREE", Severity::high, Status::refused,
       "Python's tarfile and libarchive see different members in the tar.",
       "modelgate walks the headers as tarfile does (torch's view) and as libarchive does (the view "
       "of tar and most tools); a difference in names, sizes or member count means two tools read "
       "two different checkpoints."},
      {"MG-TORCH-TAR-TRAILING-DATA", Severity::medium, Status::unverified,
       "Data follows the end-of-archive block of a tar checkpoint.",
       "tarfile stops at the first zero block; bytes after it are never read by torch but are a "
       "place to hide content. They are scanned by content."},
      {"MG-TORCH-TAR-EXTRA-MEMBER", Severity::low, Status::unverified,
       "A tar checkpoint holds a member other than sys_info, storages, tensors and pickle.",
       "torch.save never writes other members and torch.load never reads them; they are scanned by "
       "content."},
      {"MG-TORCH-TAR-POLYGLOT", Severity::high, Status::refused,
       "A tar checkpoint also starts with a pickle.",
       "When Python's tarfile raises on the archive (a truncated member, a bad extended header), "
       "torch.load falls back to reading the file from offset 0 as a legacy pickle checkpoint, so a "
       "pickle hidden in the first header's name field runs. That pickle is analysed."},
  };
  return rules;
}

}  // namespace modelgate
