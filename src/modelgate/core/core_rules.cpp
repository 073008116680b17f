#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> core_rules() {
  static const Rule rules[] = {
      {"MG-FORMAT-UNRECOGNISED", Severity::low, Status::unverified,
       "The file's content matches no format modelgate understands.",
       "modelgate identifies formats by content, never by extension. A file it cannot identify is not "
       "known to be safe: inspect it, remove it from the model directory, or extend the policy."},
      {"MG-IO-ERROR", Severity::high, Status::refused, "The file could not be read.",
       "The file exists but could not be opened or mapped (permissions, a special file, an I/O "
       "error). It was not inspected and is therefore refused."},
      {"MG-FILE-CHANGED", Severity::high, Status::refused, "The file changed while it was being scanned.",
       "Its size, modification or change time, or identity (device and inode) differed at the end of "
       "the analysis from when it was opened, or it shrank under the scanner's mapping. What was "
       "analysed is not what is on disk now, so the file is refused; scan it again once it is stable."},
      {"MG-LIMIT-EXCEEDED", Severity::high, Status::refused,
       "A resource limit was reached before the artifact was fully inspected.",
       "Limits bound size, nesting depth, entry counts and decompression ratios so that hostile "
       "files cannot exhaust the scanner. The part beyond the limit was not inspected, so the "
       "artifact is refused. Raise the limit only for files you have reason to trust."},
  };
  return rules;
}

}  // namespace modelgate
